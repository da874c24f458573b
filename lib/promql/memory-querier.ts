// A Querier over series held in memory: for tests, and for evaluating imported data.

import type { LabelMatcher } from "./ast";
import { compareLabels } from "./eval-labels";
import { matcherTest } from "./matcher";
import { lowerBound, type Querier, type SeriesData, type SelectHints } from "./storage";

function slice(a: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  if (ArrayBuffer.isView(a)) return (a as Float64Array).subarray(from, to);
  return Array.prototype.slice.call(a, from, to) as number[];
}

export class MemoryQuerier implements Querier {
  private readonly series: SeriesData[];

  /** Series are kept in label order, the order a TSDB returns them in. */
  constructor(series: SeriesData[]) {
    this.series = [...series].sort((a, b) => compareLabels(a.labels, b.labels));
  }

  select(matchers: LabelMatcher[], hints: SelectHints): SeriesData[] {
    const tests = matchers.map((m) => ({ name: m.name, test: matcherTest(m) }));
    const out: SeriesData[] = [];
    for (const s of this.series) {
      // A missing label matches as the empty string, as in Prometheus.
      if (!tests.every(({ name, test }) => test(s.labels[name] ?? ""))) continue;
      const from = lowerBound(s.t, hints.start);
      const to = lowerBound(s.t, hints.end + 1);
      // Like a TSDB, a series with no sample in the range is not returned.
      if (from >= to) continue;
      out.push({ labels: s.labels, t: slice(s.t, from, to), v: slice(s.v, from, to) });
    }
    return out;
  }
}
