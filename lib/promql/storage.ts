// What the PromQL evaluator reads samples through. The built-in store (metrics.db)
// implements it; tests use an in-memory one. Reads are synchronous: the built-in store
// is SQLite through better-sqlite3, and a remote Prometheus-compatible datasource is
// sent the whole query instead of being read through this interface.

import type { LabelMatcher } from "./ast";

/** A series' labels, `__name__` included; keys sorted is not required. */
export type Labels = Record<string, string>;

export interface SeriesData {
  labels: Labels;
  /** Sample timestamps in milliseconds, ascending, no duplicates. */
  t: ArrayLike<number>;
  /** Sample values; the staleness NaN (lib/metrics/stale.ts) marks where a series ended. */
  v: ArrayLike<number>;
}

/** What a selector is for, so a store can pick a resolution (Prometheus's SelectHints). */
export interface SelectHints {
  /** Milliseconds, inclusive; already widened by lookback, range and offset. */
  start: number;
  end: number;
  /** The range query's step in ms (0 for an instant query). */
  step: number;
  /** The function the selector is an argument of (e.g. "rate"), or undefined. */
  func: string | undefined;
  /** The range of a matrix selector in ms (0 for an instant selector). */
  range: number;
}

/** The first index at or after `from` whose timestamp is >= `t` (ts ascending), by bisection. */
export function lowerBound(ts: ArrayLike<number>, t: number, from = 0): number {
  let lo = from;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Querier {
  /** Every series matching all `matchers` with its samples in [hints.start, hints.end]. */
  select(matchers: LabelMatcher[], hints: SelectHints): SeriesData[];
}
