// A Querier over series held in memory: for tests, and for evaluating imported data.

import type { LabelMatcher } from "./ast";
import { compareLabels } from "./eval-labels";
import { PromQLEvalError } from "./eval-types";
import { lowerBound, type Querier, type SeriesData, type SelectHints } from "./storage";
import { compileFullMatch, type FullMatch } from "../patterns";

function slice(a: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  if (ArrayBuffer.isView(a)) return (a as Float64Array).subarray(from, to);
  return Array.prototype.slice.call(a, from, to) as number[];
}

export class MemoryQuerier implements Querier {
  private readonly regexes = new Map<string, FullMatch>();

  private readonly series: SeriesData[];

  /** Series are kept in label order, the order a TSDB returns them in. */
  constructor(series: SeriesData[]) {
    this.series = [...series].sort((a, b) => compareLabels(a.labels, b.labels));
  }

  private regex(source: string): FullMatch {
    let re = this.regexes.get(source);
    if (!re) {
      const compiled = compileFullMatch(source);
      if (typeof compiled === "string") {
        throw new PromQLEvalError(
          "bad_data",
          `invalid regular expression ${JSON.stringify(source)}: ${compiled}`,
        );
      }
      re = compiled;
      this.regexes.set(source, re);
    }
    return re;
  }

  private matches(labels: Record<string, string>, m: LabelMatcher): boolean {
    // A missing label matches as the empty string, as in Prometheus.
    const value = labels[m.name] ?? "";
    switch (m.op) {
      case "=":
        return value === m.value;
      case "!=":
        return value !== m.value;
      case "=~":
        return this.regex(m.value)(value);
      case "!~":
        return !this.regex(m.value)(value);
    }
  }

  select(matchers: LabelMatcher[], hints: SelectHints): SeriesData[] {
    const out: SeriesData[] = [];
    for (const s of this.series) {
      if (!matchers.every((m) => this.matches(s.labels, m))) continue;
      const from = lowerBound(s.t, hints.start);
      const to = lowerBound(s.t, hints.end + 1);
      // Like a TSDB, a series with no sample in the range is not returned.
      if (from >= to) continue;
      out.push({ labels: s.labels, t: slice(s.t, from, to), v: slice(s.v, from, to) });
    }
    return out;
  }
}
