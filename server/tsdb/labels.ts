import "server-only";

/** A series' labels as [name, value] pairs sorted by name, `__name__` included. */
export type LabelPairs = [string, string][];

/** The stored identity of a series: its sorted pairs as JSON (unambiguous, any bytes). */
export function seriesKey(sorted: LabelPairs): string {
  return JSON.stringify(sorted);
}

export function labelsFromKey(key: string): LabelPairs {
  return JSON.parse(key) as LabelPairs;
}

/** Sorts pairs by name in place (code-unit order, as Prometheus's labels.Labels). */
export function sortLabels(pairs: LabelPairs): LabelPairs {
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function toRecord(pairs: LabelPairs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, v] of pairs) out[n] = v;
  return out;
}
