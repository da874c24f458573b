import "server-only";
import type { RollupField } from "@/lib/metrics/rollup-chunk";
import type { SelectHints } from "@/lib/promql/storage";
import { FIVE_MINUTES, HOUR } from "./rollup";

/** What a query's points were read from; `opsdeck.resolution` in the query API's answers. */
export type Resolution = "raw" | "5m" | "1h";

const ORDER: readonly Resolution[] = ["raw", "5m", "1h"];

/** Where each resolution's data starts: retention may have deleted anything older. */
export type Coverage = Record<Resolution, number>;

export const FULL_COVERAGE: Coverage = { raw: -Infinity, "5m": -Infinity, "1h": -Infinity };

/** Functions that need two points in a window to say anything (Thanos's list, with resets and changes). */
const TWO_POINTS = new Set([
  "rate",
  "irate",
  "increase",
  "delta",
  "idelta",
  "deriv",
  "predict_linear",
  "holt_winters",
  "resets",
  "changes",
]);

/**
 * The resolution a selector reads. The step sets the coarsest that is fine enough
 * (raw below 5 minutes, so every raw answer is unchanged; 5-minute points up to an hour;
 * hourly points from an hour). A range function's window must hold points: at most half
 * the window apart for a function of two points, at most the window apart for the
 * others; an instant selector's must be found by the 5-minute lookback, so it reads
 * 5-minute points at the coarsest. Where retention has deleted that resolution's data
 * for part of the selection, the next coarser one is read instead.
 */
export function chooseResolution(h: SelectHints, from: Coverage): Resolution {
  let max = h.step >= HOUR ? HOUR : h.step >= FIVE_MINUTES ? FIVE_MINUTES : 0;
  if (h.range > 0) max = Math.min(max, TWO_POINTS.has(h.func ?? "") ? h.range / 2 : h.range);
  else max = Math.min(max, FIVE_MINUTES);
  let i = max >= HOUR ? 2 : max >= FIVE_MINUTES ? 1 : 0;
  while (i < ORDER.length - 1 && h.start < from[ORDER[i]!]) i++;
  return ORDER[i]!;
}

export function coarser(a: Resolution, b: Resolution): Resolution {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/** A stored field, or the mean of a bucket (its sum over its count). */
export type PointField = RollupField | "avg";

const FIELD_OF = new Map<string, PointField>([
  ["rate", "counter"],
  ["increase", "counter"],
  ["irate", "counter"],
  ["min_over_time", "min"],
  ["max_over_time", "max"],
  ["sum_over_time", "sum"],
  ["count_over_time", "count"],
  ["avg_over_time", "avg"],
]);

/**
 * Which field of a rollup point a selector reads, by the function it is an argument of
 * (Thanos's rule, narrowed: an aggregation such as `min(x)` reads `last`, since it
 * aggregates across series, not over time). resets() and changes() read `last`: the
 * counter field has no resets left to count.
 */
export function fieldFor(func: string | undefined): PointField {
  return (func !== undefined && FIELD_OF.get(func)) || "last";
}
