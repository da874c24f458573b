// Aggregation operators at one step, as Prometheus 2.42's engine.go (aggregation).
// The arithmetic is Prometheus's own, step for step, so that results agree to the last
// bits where they can: a running sum for sum, an incremental mean for avg, Welford for
// stddev/stdvar, and Go's container/heap for topk/bottomk so ties pick the same series.

import type { AggregateOp } from "./ast";
import { dropMetricName, isValidLabelName, LabelsCache, signature } from "./eval-labels";
import { execError, type Matrix, type StepSeries, type VSample, type Vector } from "./eval-types";
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

/** What a group keeps while a step's samples are added (Prometheus's groupedAggregation). */
interface Running {
  value: number;
  mean: number;
  count: number;
}

interface Group extends Running {
  labels: Labels;
  heap: SampleHeap | undefined;
  values: number[] | undefined;
}

/** A group's state after its first sample of the step. */
function begin(op: AggregateOp, g: Running, x: number): void {
  g.value = op === "stddev" || op === "stdvar" ? 0 : op === "group" ? 1 : x;
  g.mean = x;
  g.count = 1;
}

/** Adds a sample after the first, for every op but topk, bottomk and quantile. */
function accumulate(op: AggregateOp, g: Running, x: number): void {
  switch (op) {
    case "sum":
      g.value += x;
      break;
    case "avg":
      g.count++;
      if (g.mean === Infinity || g.mean === -Infinity) {
        // An infinite mean stays as it is unless the value is NaN or the other infinity:
        // the incremental formula would turn Inf into NaN.
        if (x === g.mean) break;
        if (Number.isFinite(x)) break;
      }
      g.mean += x / g.count - g.mean / g.count;
      break;
    case "max":
      if (g.value < x || Number.isNaN(g.value)) g.value = x;
      break;
    case "min":
      if (g.value > x || Number.isNaN(g.value)) g.value = x;
      break;
    case "count":
    case "count_values":
      g.count++;
      break;
    case "stddev":
    case "stdvar": {
      g.count++;
      const delta = x - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (x - g.mean);
      break;
    }
  }
}

/** A group's value at the end of the step, for every op but topk, bottomk and quantile. */
function finish(op: AggregateOp, g: Running): number {
  switch (op) {
    case "avg":
      return g.mean;
    case "count":
    case "count_values":
      return g.count;
    case "stdvar":
      return g.value / g.count;
    case "stddev":
      return Math.sqrt(g.value / g.count);
    default:
      return g.value;
  }
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
        value: 0,
        mean: 0,
        count: 0,
        heap: undefined,
        values: undefined,
      };
      begin(op, ng, s.v);
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
      default:
        accumulate(op, g, s.v);
    }
  }

  const out: Vector = [];
  for (const g of ordered) {
    let v: number;
    switch (op) {
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
      default:
        v = finish(op, g);
    }
    out.push({ labels: g.labels, v, t: 0 });
  }
  return out;
}

/** The operators whose groups keep a running value, and take no parameter. */
export const RUNNING_OPS: ReadonlySet<AggregateOp> = new Set<AggregateOp>([
  "sum",
  "avg",
  "min",
  "max",
  "count",
  "group",
  "stddev",
  "stdvar",
]);

/**
 * `aggregate` at every one of `steps` over a matrix whose points sit at those steps, for
 * the RUNNING_OPS: each series' group is found once, not once a step, and no vector is
 * built a step. The groups, the arithmetic and the order are those of calling
 * `aggregate` on each step's vector and collecting the results into series (in the order
 * their groups first appear). `onStep` is told each step's number of output samples.
 */
export function aggregateSteps(
  op: AggregateOp,
  grouping: readonly string[],
  without: boolean,
  input: Matrix,
  steps: readonly number[],
  onStep: (samples: number) => void,
): Matrix {
  const groupOf = new Int32Array(input.length);
  const ids = new Map<string, number>();
  input.forEach((s, i) => {
    const key = signature(s.labels, !without, grouping);
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    groupOf[i] = id;
  });
  const groups = ids.size;
  const state: Running[] = Array.from({ length: groups }, () => ({ value: 0, mean: 0, count: 0 }));
  // The step each group last began at, and the groups in the order the step met them.
  const begun = new Int32Array(groups).fill(-1);
  const met: number[] = [];
  // A group's labels are made from the series that first begins it, as step by step.
  const labels: (Labels | undefined)[] = new Array(groups);
  const series: (StepSeries | undefined)[] = new Array(groups);
  const out: Matrix = [];
  const cursor = new Int32Array(input.length);
  const times = input.map((s) => s.t);
  const values = input.map((s) => s.v);
  for (let k = 0; k < steps.length; k++) {
    const ts = steps[k]!;
    met.length = 0;
    for (let i = 0; i < input.length; i++) {
      const st = times[i]!;
      const j = cursor[i]!;
      // Past the end first: reading past an array's end is V8's slow path.
      if (j >= st.length || st[j] !== ts) continue;
      cursor[i] = j + 1;
      const g = groupOf[i]!;
      const x = values[i]![j]!;
      if (begun[g] === k) {
        accumulate(op, state[g]!, x);
      } else {
        begun[g] = k;
        met.push(g);
        begin(op, state[g]!, x);
        labels[g] ??= groupLabels(input[i]!.labels, grouping, without);
      }
    }
    for (const g of met) {
      let o = series[g];
      if (!o) {
        o = { labels: labels[g]!, t: [], v: [] };
        series[g] = o;
        out.push(o);
      }
      o.t.push(ts);
      o.v.push(finish(op, state[g]!));
    }
    onStep(met.length);
  }
  return out;
}
