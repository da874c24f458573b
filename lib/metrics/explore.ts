// The explore page's state in its URL, and the step a range is drawn at.

export const RANGES = [
  { id: "1h", ms: 3_600_000 },
  { id: "6h", ms: 6 * 3_600_000 },
  { id: "24h", ms: 86_400_000 },
  { id: "7d", ms: 7 * 86_400_000 },
  { id: "30d", ms: 30 * 86_400_000 },
  { id: "90d", ms: 90 * 86_400_000 },
] as const;
export type RangeId = (typeof RANGES)[number]["id"];

export function rangeOf(id: string | undefined): (typeof RANGES)[number] {
  return RANGES.find((r) => r.id === id) ?? RANGES[0];
}

/** About 250 points across the chart, on a round step of at least 15 s (the scrape interval). */
export function stepFor(rangeMs: number): number {
  const raw = rangeMs / 250;
  const steps = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  return (steps.find((s) => s * 1000 >= raw) ?? 86400) * 1000;
}

export function exploreHref(query: string, range: string): string {
  const p = new URLSearchParams();
  if (query) p.set("q", query);
  if (range !== RANGES[0].id) p.set("range", range);
  const s = p.toString();
  return s ? `/metrics?${s}` : "/metrics";
}
