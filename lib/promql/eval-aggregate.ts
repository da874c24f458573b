// Aggregation operators at one step, as Prometheus 2.42's engine.go (aggregation).
// The arithmetic is Prometheus's own, step for step, so that results agree to the last
// bits where they can: a running sum for sum, an incremental mean for avg, Welford for
// stddev/stdvar, and Go's container/heap for topk/bottomk so ties pick the same series.

import type { AggregateOp } from "./ast";
import { dropMetricName, isValidLabelName, LabelsCache, signature } from "./eval-labels";
import { execError, type VSample, type Vector } from "./eval-types";
import { formatGoFloat, formatGoFloatG } from "./eval-format";
import type { Labels } from "./storage";

/** NaN sorts first, as Prometheus's vectorByValueHeap. */
function lessByValue(a: number, b: number): boolean {
  return Number.isNaN(a) || a < b;
}

function lessByReverseValue(a: number, b: number): boolean {
  return Number.isNaN(a) || a > b;
}

/** Prometheus's quantile(): linear interpolation between the closest ranks. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) => (lessByValue(a, b) ? -1 : lessByValue(b, a) ? 1 : 0));
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

type Less = (a: number, b: number) => boolean;

/** Go's container/heap over samples ordered by `less` on their values. */
class SampleHeap {
  readonly items: VSample[] = [];

  constructor(private readonly less: Less) {}

  private lessAt(i: number, j: number): boolean {
    return this.less(this.items[i]!.v, this.items[j]!.v);
  }

  private swap(i: number, j: number): void {
    const h = this.items;
    [h[i], h[j]] = [h[j]!, h[i]!];
  }

  private up(j: number): void {
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.lessAt(j, i)) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i: number, n: number): void {
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      if (j1 + 1 < n && this.lessAt(j1 + 1, j1)) j = j1 + 1;
      if (!this.lessAt(j, i)) break;
      this.swap(i, j);
      i = j;
    }
  }

  push(s: VSample): void {
    this.items.push(s);
    this.up(this.items.length - 1);
  }

  pop(): void {
    const n = this.items.length - 1;
    this.swap(0, n);
    this.down(0, n);
    this.items.pop();
  }
}

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  heap: SampleHeap | undefined;
  values: number[] | undefined;
}

function groupLabels(l: Labels, grouping: readonly string[], without: boolean): Labels {
  if (without) {
    const out = { ...dropMetricName(l) };
    for (const n of grouping) delete out[n];
    return out;
  }
  const out: Labels = {};
  for (const n of grouping) if (l[n]) out[n] = l[n];
  return out;
}

function int64Param(f: number): number {
  if (!(f <= 9223372036854775807 && f >= -9223372036854775808)) {
    throw execError(`Scalar value ${formatGoFloatG(f)} overflows int64`);
  }
  return Math.trunc(f);
}

/** What one aggregation node remembers from step to step: each series' group, each group's labels. */
export class AggregateCache {
  readonly keys = new WeakMap<Labels, string>();
  readonly groups = new LabelsCache();
}

/** `param` is the step's scalar (topk, bottomk, quantile) or count_values' label name. */
export function aggregate(
  op: AggregateOp,
  grouping: readonly string[],
  without: boolean,
  param: number | string | undefined,
  vec: Vector,
  cache: AggregateCache = new AggregateCache(),
): Vector {
  let k = 0;
  if (op === "topk" || op === "bottomk") {
    k = int64Param(param as number);
    if (k < 1) return [];
  }
  let valueLabel = "";
  let groupBy = grouping;
  if (op === "count_values") {
    valueLabel = param as string;
    if (!isValidLabelName(valueLabel))
      throw execError(`invalid label name ${JSON.stringify(valueLabel)}`);
    if (!without) groupBy = [...grouping, valueLabel];
  }

  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  for (const s of vec) {
    let labels = s.labels;
    if (op === "count_values") labels = { ...labels, [valueLabel]: formatGoFloat(s.v) };
    // `without` ignores __name__ too (Prometheus's HashWithoutLabels).
    let key = op === "count_values" ? undefined : cache.keys.get(labels);
    if (key === undefined) {
      key = signature(labels, !without, groupBy);
      if (op !== "count_values") cache.keys.set(labels, key);
    }
    const g = groups.get(key);
    if (!g) {
      const ng: Group = {
        labels: cache.groups.keyed(key, () => groupLabels(labels, groupBy, without)),
        value: s.v,
        mean: s.v,
        count: 1,
        heap: undefined,
        values: undefined,
      };
      if (op === "stddev" || op === "stdvar") ng.value = 0;
      if (op === "group") ng.value = 1;
      if (op === "topk" || op === "bottomk") {
        ng.heap = new SampleHeap(op === "topk" ? lessByValue : lessByReverseValue);
        ng.heap.items.push(s);
      }
      if (op === "quantile") ng.values = [s.v];
      groups.set(key, ng);
      ordered.push(ng);
      continue;
    }
    switch (op) {
      case "sum":
        g.value += s.v;
        break;
      case "avg":
        g.count++;
        if (g.mean === Infinity || g.mean === -Infinity) {
          // An infinite mean stays as it is unless the value is NaN or the other infinity:
          // the incremental formula would turn Inf into NaN.
          if (s.v === g.mean) break;
          if (Number.isFinite(s.v)) break;
        }
        g.mean += s.v / g.count - g.mean / g.count;
        break;
      case "max":
        if (g.value < s.v || Number.isNaN(g.value)) g.value = s.v;
        break;
      case "min":
        if (g.value > s.v || Number.isNaN(g.value)) g.value = s.v;
        break;
      case "count":
      case "count_values":
        g.count++;
        break;
      case "stddev":
      case "stdvar": {
        g.count++;
        const delta = s.v - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (s.v - g.mean);
        break;
      }
      case "topk":
      case "bottomk": {
        const h = g.heap!;
        const top = h.items[0]!.v;
        const better = op === "topk" ? top < s.v : top > s.v;
        if (h.items.length < k || better || Number.isNaN(top)) {
          if (h.items.length === k) {
            if (k === 1) {
              h.items[0] = s;
              break;
            }
            h.pop();
          }
          h.push(s);
        }
        break;
      }
      case "quantile":
        g.values!.push(s.v);
        break;
      case "group":
        break;
    }
  }

  const out: Vector = [];
  for (const g of ordered) {
    let v = g.value;
    switch (op) {
      case "avg":
        v = g.mean;
        break;
      case "count":
      case "count_values":
        v = g.count;
        break;
      case "stdvar":
        v = g.value / g.count;
        break;
      case "stddev":
        v = Math.sqrt(g.value / g.count);
        break;
      case "topk":
      case "bottomk": {
        const less = op === "topk" ? lessByValue : lessByReverseValue;
        // The heap keeps the weakest on top; the result lists the strongest first.
        const items = [...g.heap!.items].sort((a, b) =>
          less(b.v, a.v) ? -1 : less(a.v, b.v) ? 1 : 0,
        );
        for (const s of items) out.push({ labels: s.labels, v: s.v, t: s.t });
        continue;
      }
      case "quantile":
        v = quantile(param as number, g.values!);
        break;
    }
    out.push({ labels: g.labels, v, t: 0 });
  }
  return out;
}
