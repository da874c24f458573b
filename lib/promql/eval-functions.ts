// PromQL functions, as Prometheus 2.42's promql/functions.go and quantile.go (classic
// histograms only). Range-vector functions see one series' window at a time; the
// others see the step's input vectors.

import { RE2JS } from "re2js";
import type { Call, Expr } from "./ast";
import { quantile } from "./eval-aggregate";
import { dropMetricName, isValidLabelName, LabelsCache, NO_LABELS, signature } from "./eval-labels";
import { execError, type Vector } from "./eval-types";
import type { Labels } from "./storage";

export interface WindowContext {
  /** The step's evaluation time (predict_linear extrapolates from it). */
  ts: number;
  /** The window, inclusive at both ends, after offset and @. */
  rangeStart: number;
  rangeEnd: number;
  rangeMs: number;
  /** The step's values of the scalar arguments, by argument index. */
  scalars: number[];
}

/**
 * The value of one series' window, the samples at indexes lo <= i < hi of `t` and `v`,
 * or undefined for no output at this step. Bounds rather than subarrays: a window is a
 * few samples, and a view a window would cost more than the function.
 */
export type RangeFn = (
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  c: WindowContext,
) => number | undefined;

function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  // Neumaier's variant: compensate with whichever term is larger.
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

function extrapolatedRate(isCounter: boolean, isRate: boolean): RangeFn {
  return (t, v, lo, hi, c) => {
    const n = hi - lo;
    if (n < 2) return undefined;
    const first = v[lo]!;
    let result = v[hi - 1]! - first;
    if (isCounter) {
      let prev = first;
      for (let i = lo + 1; i < hi; i++) {
        if (v[i]! < prev) result += prev;
        prev = v[i]!;
      }
    }
    let durationToStart = (t[lo]! - c.rangeStart) / 1000;
    const durationToEnd = (c.rangeEnd - t[hi - 1]!) / 1000;
    const sampledInterval = (t[hi - 1]! - t[lo]!) / 1000;
    const averageDurationBetweenSamples = sampledInterval / (n - 1);
    if (isCounter && result > 0 && first >= 0) {
      // A counter is never negative: do not extrapolate back past its zero point.
      const durationToZero = sampledInterval * (first / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    const threshold = averageDurationBetweenSamples * 1.1;
    let extrapolateToInterval = sampledInterval;
    extrapolateToInterval +=
      durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
    extrapolateToInterval +=
      durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
    let factor = extrapolateToInterval / sampledInterval;
    if (isRate) factor /= c.rangeMs / 1000;
    return result * factor;
  };
}

function instantValue(isRate: boolean): RangeFn {
  return (t, v, lo, hi) => {
    if (hi - lo < 2) return undefined;
    const last = v[hi - 1]!;
    const prev = v[hi - 2]!;
    let result = isRate && last < prev ? last : last - prev;
    const interval = t[hi - 1]! - t[hi - 2]!;
    if (interval === 0) return undefined;
    if (isRate) result /= interval / 1000;
    return result;
  };
}

function linearRegression(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  interceptTime: number,
): [number, number] {
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0; // prettier-ignore
  const initY = v[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[i]! - interceptTime) / 1e3;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(y, sumY, cY);
    [sumXY, cXY] = kahanInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

function avgOverTime(v: Float64Array, lo: number, hi: number): number {
  let mean = 0;
  let c = 0;
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    count++;
    if (mean === Infinity || mean === -Infinity) {
      if (x === mean || Number.isFinite(x)) continue;
    }
    [mean, c] = kahanInc(x / count - mean / count, mean, c);
  }
  return mean === Infinity || mean === -Infinity ? mean : mean + c;
}

function sumOverTime(v: Float64Array, lo: number, hi: number): number {
  let sum = 0;
  let c = 0;
  for (let i = lo; i < hi; i++) [sum, c] = kahanInc(v[i]!, sum, c);
  return sum === Infinity || sum === -Infinity ? sum : sum + c;
}

function varianceOverTime(v: Float64Array, lo: number, hi: number): number {
  let count = 0;
  let mean = 0, cMean = 0, aux = 0, cAux = 0; // prettier-ignore
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    count++;
    const delta = x - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (x - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function holtWinters(
  v: Float64Array,
  lo: number,
  hi: number,
  sf: number,
  tf: number,
): number | undefined {
  if (sf <= 0 || sf >= 1) {
    throw execError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  }
  if (tf <= 0 || tf >= 1) {
    throw execError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  }
  if (hi - lo < 2) return undefined;
  let s0 = 0;
  let s1 = v[lo]!;
  let b = v[lo + 1]! - v[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const x = sf * v[i]!;
    // The trend at i-1 (the first step keeps the initial slope).
    if (i - 1 !== lo) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

/** Functions of a range vector; `matrixArg` is the index of the range-vector argument. */
export const RANGE_FUNCTIONS: Readonly<Record<string, { fn: RangeFn; matrixArg: number }>> = {
  rate: { fn: extrapolatedRate(true, true), matrixArg: 0 },
  increase: { fn: extrapolatedRate(true, false), matrixArg: 0 },
  delta: { fn: extrapolatedRate(false, false), matrixArg: 0 },
  irate: { fn: instantValue(true), matrixArg: 0 },
  idelta: { fn: instantValue(false), matrixArg: 0 },
  deriv: {
    fn: (t, v, lo, hi) => (hi - lo < 2 ? undefined : linearRegression(t, v, lo, hi, t[lo]!)[0]),
    matrixArg: 0,
  },
  predict_linear: {
    fn: (t, v, lo, hi, c) => {
      if (hi - lo < 2) return undefined;
      const [slope, intercept] = linearRegression(t, v, lo, hi, c.ts);
      return slope * c.scalars[1]! + intercept;
    },
    matrixArg: 0,
  },
  holt_winters: {
    fn: (_t, v, lo, hi, c) => holtWinters(v, lo, hi, c.scalars[1]!, c.scalars[2]!),
    matrixArg: 0,
  },
  avg_over_time: { fn: (_t, v, lo, hi) => avgOverTime(v, lo, hi), matrixArg: 0 },
  sum_over_time: { fn: (_t, v, lo, hi) => sumOverTime(v, lo, hi), matrixArg: 0 },
  count_over_time: { fn: (_t, _v, lo, hi) => hi - lo, matrixArg: 0 },
  last_over_time: { fn: (_t, v, _lo, hi) => v[hi - 1]!, matrixArg: 0 },
  present_over_time: { fn: () => 1, matrixArg: 0 },
  absent_over_time: { fn: () => 1, matrixArg: 0 },
  max_over_time: {
    fn: (_t, v, lo, hi) => {
      let max = v[lo]!;
      for (let i = lo; i < hi; i++) if (v[i]! > max || Number.isNaN(max)) max = v[i]!;
      return max;
    },
    matrixArg: 0,
  },
  min_over_time: {
    fn: (_t, v, lo, hi) => {
      let min = v[lo]!;
      for (let i = lo; i < hi; i++) if (v[i]! < min || Number.isNaN(min)) min = v[i]!;
      return min;
    },
    matrixArg: 0,
  },
  quantile_over_time: {
    fn: (_t, v, lo, hi, c) => quantile(c.scalars[0]!, Array.from(v.subarray(lo, hi))),
    matrixArg: 1,
  },
  stddev_over_time: { fn: (_t, v, lo, hi) => Math.sqrt(varianceOverTime(v, lo, hi)), matrixArg: 0 },
  stdvar_over_time: { fn: (_t, v, lo, hi) => varianceOverTime(v, lo, hi), matrixArg: 0 },
  resets: {
    fn: (_t, v, lo, hi) => {
      let resets = 0;
      for (let i = lo + 1; i < hi; i++) if (v[i]! < v[i - 1]!) resets++;
      return resets;
    },
    matrixArg: 0,
  },
  changes: {
    fn: (_t, v, lo, hi) => {
      let changes = 0;
      for (let i = lo + 1; i < hi; i++) {
        const cur = v[i]!;
        const prev = v[i - 1]!;
        if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
      }
      return changes;
    },
    matrixArg: 0,
  },
};

/**
 * The step's arguments: vectors for vector and scalar arguments, undefined for strings.
 * `cache` lives as long as the call's evaluation: label sets built there once, not a step.
 */
export type InstantFn = (
  args: (Vector | undefined)[],
  call: Call,
  ts: number,
  cache: LabelsCache,
) => Vector;

function mapValues(f: (v: number) => number): InstantFn {
  return (args) => args[0]!.map((s) => ({ labels: dropMetricName(s.labels), v: f(s.v), t: s.t }));
}

function scalarArg(args: (Vector | undefined)[], i: number): number {
  return args[i]![0]!.v;
}

function unwrap(e: Expr): Expr {
  while (e.kind === "paren") e = e.expr;
  return e;
}

function stringArg(call: Call, i: number): string {
  const e = unwrap(call.args[i]!);
  if (e.kind !== "string")
    throw execError(`expected a string as argument ${i + 1} of ${call.func}`);
  return e.value;
}

/** The labels absent() and absent_over_time() give: those matched exactly, once. */
export function absentLabels(arg: Expr): Labels {
  const e = unwrap(arg);
  const matchers =
    e.kind === "vectorSelector" ? e.matchers : e.kind === "matrixSelector" ? e.vector.matchers : [];
  const out: Labels = {};
  const has = new Set<string>();
  for (const m of matchers) {
    if (m.name === "__name__") continue;
    if (m.op === "=" && !has.has(m.name)) {
      if (m.value) out[m.name] = m.value;
      else delete out[m.name];
      has.add(m.name);
    } else {
      delete out[m.name];
    }
  }
  return out;
}

/** Go's strconv.ParseFloat for `le` values; undefined where Go would fail. */
function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
  return undefined;
}

interface Bucket {
  upper: number;
  count: number;
}

/** Prometheus's bucketQuantile: linear interpolation inside the bucket holding the rank. */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // Sorted by bound (stable); buckets usually come in order, and then sorting changes nothing.
  const ascending = input.every((b, i) => i === 0 || b.upper >= input[i - 1]!.upper);
  const sorted = ascending ? input : [...input].sort((a, b) => a.upper - b.upper);
  if (sorted[sorted.length - 1]!.upper !== Infinity) return NaN;
  // Coalesce buckets with the same bound, then force the counts to be monotonic
  // (a scrape can see buckets updated at slightly different moments).
  const upper: number[] = [];
  const counts: number[] = [];
  for (const b of sorted) {
    const n = upper.length;
    if (n > 0 && upper[n - 1] === b.upper) counts[n - 1]! += b.count;
    else {
      upper.push(b.upper);
      counts.push(b.count);
    }
  }
  const n = upper.length;
  let max = counts[0]!;
  for (let i = 1; i < n; i++) {
    if (counts[i]! > max) max = counts[i]!;
    else if (counts[i]! < max) counts[i] = max;
  }
  if (n < 2) return NaN;
  const observations = counts[n - 1]!;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < n - 1 && !(counts[b]! >= rank)) b++;
  if (b === n - 1) return upper[n - 2]!;
  if (b === 0 && upper[0]! <= 0) return upper[0]!;
  let bucketStart = 0;
  const bucketEnd = upper[b]!;
  let count = counts[b]!;
  if (b > 0) {
    bucketStart = upper[b - 1]!;
    count -= counts[b - 1]!;
    rank -= counts[b - 1]!;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** A bucket series' bound and histogram, by its label object: found once, not once a step. */
const bucketOf = new WeakMap<Labels, { upper: number | undefined; key: string }>();

function bucketLabels(l: Labels): { upper: number | undefined; key: string } {
  let b = bucketOf.get(l);
  if (!b) {
    // Grouped by every label but `le` (the metric name included).
    b = { upper: parseGoFloat(l.le ?? ""), key: signature(l, false, ["le"]) + (l.__name__ ?? "") };
    bucketOf.set(l, b);
  }
  return b;
}

const histogramQuantile: InstantFn = (args, _call, _ts, cache) => {
  const q = scalarArg(args, 0);
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of args[1]!) {
    const { upper, key } = bucketLabels(s.labels);
    if (upper === undefined) continue;
    // Named without `le` and the metric name.
    let g = groups.get(key);
    if (!g) {
      const labels = cache.keyed(key, () => {
        const { le: _, ...rest } = dropMetricName(s.labels);
        return rest;
      });
      g = { labels, buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upper, count: s.v });
  }
  return [...groups.values()].map((g) => ({
    labels: g.labels,
    v: bucketQuantile(q, g.buckets),
    t: 0,
  }));
};

/** Go's regexp.Expand: $1, ${1}, $name, ${name}, $$; an unknown group is empty. */
function expandTemplate(template: string, group: (name: string) => string | null): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    const m = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(template.slice(i));
    if (!m) {
      out += "$";
      continue;
    }
    i += m[0].length;
    out += group(m[1] ?? m[2]!) ?? "";
  }
  return out + template.slice(i);
}

const labelReplaceCache = new WeakMap<Call, RE2JS>();

const labelReplace: InstantFn = (args, call, _ts, cache) => {
  const dst = stringArg(call, 1);
  const repl = stringArg(call, 2);
  const src = stringArg(call, 3);
  let re = labelReplaceCache.get(call);
  if (!re) {
    const source = stringArg(call, 4);
    try {
      RE2JS.compile(source);
      re = RE2JS.compile(`^(?:${source})$`);
    } catch {
      throw execError(`invalid regular expression in label_replace(): ${source}`);
    }
    if (!isValidLabelName(dst)) {
      throw execError(`invalid destination label name in label_replace(): ${dst}`);
    }
    labelReplaceCache.set(call, re);
  }
  const names = re.namedGroups();
  const replace = (l: Labels): Labels => {
    const m = re.matcher(l[src] ?? "");
    if (!m.matches()) return l;
    const res = expandTemplate(repl, (name) => {
      if (/^\d+$/.test(name)) {
        // Go refuses leading zeros and huge numbers as group numbers.
        if (name.length > 1 && name[0] === "0") return null;
        const n = Number(name);
        return n <= m.groupCount() ? m.group(n) : null;
      }
      return names[name] === undefined ? null : m.group(name);
    });
    const { [dst]: _, ...rest } = l;
    return res ? { ...rest, [dst]: res } : rest;
  };
  return args[0]!.map((s) => ({ labels: cache.of(s.labels, replace), v: s.v, t: s.t }));
};

const labelJoin: InstantFn = (args, call, _ts, cache) => {
  const dst = stringArg(call, 1);
  const sep = stringArg(call, 2);
  const srcs: string[] = [];
  for (let i = 3; i < call.args.length; i++) {
    const src = stringArg(call, i);
    if (!isValidLabelName(src))
      throw execError(`invalid source label name in label_join(): ${src}`);
    srcs.push(src);
  }
  if (!isValidLabelName(dst))
    throw execError(`invalid destination label name in label_join(): ${dst}`);
  const join = (l: Labels): Labels => {
    const joined = srcs.map((n) => l[n] ?? "").join(sep);
    const { [dst]: _, ...rest } = l;
    return joined ? { ...rest, [dst]: joined } : rest;
  };
  return args[0]!.map((s) => ({ labels: cache.of(s.labels, join), v: s.v, t: s.t }));
};

function dateFn(f: (d: Date) => number): InstantFn {
  return (args, _call, ts) => {
    if (args.length === 0) {
      return [{ labels: NO_LABELS, v: f(new Date(Math.trunc(ts / 1000) * 1000)), t: ts }];
    }
    // Go converts the value to whole seconds by truncation.
    return args[0]!.map((s) => ({
      labels: dropMetricName(s.labels),
      v: f(new Date(Math.trunc(s.v) * 1000)),
      t: s.t,
    }));
  };
}

function daysInMonth(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfYear(d: Date): number {
  const y = d.getUTCFullYear();
  return (Date.UTC(y, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(y, 0, 1)) / 86_400_000 + 1;
}

/** NaN sorts last both ways, as Prometheus's reversed heaps order it. */
function sortBy(desc: boolean): InstantFn {
  return (args) =>
    [...args[0]!].sort((a, b) => {
      const an = Number.isNaN(a.v);
      const bn = Number.isNaN(b.v);
      if (an || bn) return an === bn ? 0 : an ? 1 : -1;
      const d = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
      return desc ? -d : d;
    });
}

export const INSTANT_FUNCTIONS: Readonly<Record<string, InstantFn>> = {
  abs: mapValues(Math.abs),
  ceil: mapValues(Math.ceil),
  floor: mapValues(Math.floor),
  exp: mapValues(Math.exp),
  sqrt: mapValues(Math.sqrt),
  ln: mapValues(Math.log),
  log2: mapValues(Math.log2),
  log10: mapValues(Math.log10),
  sin: mapValues(Math.sin),
  cos: mapValues(Math.cos),
  tan: mapValues(Math.tan),
  asin: mapValues(Math.asin),
  acos: mapValues(Math.acos),
  atan: mapValues(Math.atan),
  sinh: mapValues(Math.sinh),
  cosh: mapValues(Math.cosh),
  tanh: mapValues(Math.tanh),
  asinh: mapValues(Math.asinh),
  acosh: mapValues(Math.acosh),
  atanh: mapValues(Math.atanh),
  rad: mapValues((v) => (v * Math.PI) / 180),
  deg: mapValues((v) => (v * 180) / Math.PI),
  sgn: mapValues((v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  pi: () => [{ labels: NO_LABELS, v: Math.PI, t: 0 }],
  time: (_args, _call, ts) => [{ labels: NO_LABELS, v: ts / 1000, t: ts }],
  vector: (args) => [{ labels: NO_LABELS, v: scalarArg(args, 0), t: 0 }],
  scalar: (args) => [{ labels: NO_LABELS, v: args[0]!.length === 1 ? args[0]![0]!.v : NaN, t: 0 }],
  timestamp: (args) =>
    args[0]!.map((s) => ({ labels: dropMetricName(s.labels), v: s.t / 1000, t: s.t })),
  clamp: (args, call, ts, cache) => {
    const min = scalarArg(args, 1);
    const max = scalarArg(args, 2);
    if (max < min) return [];
    return mapValues((v) => Math.max(min, Math.min(max, v)))(args, call, ts, cache);
  },
  clamp_min: (args, call, ts, cache) => {
    const min = scalarArg(args, 1);
    return mapValues((v) => Math.max(min, v))(args, call, ts, cache);
  },
  clamp_max: (args, call, ts, cache) => {
    const max = scalarArg(args, 1);
    return mapValues((v) => Math.min(max, v))(args, call, ts, cache);
  },
  round: (args, call, ts, cache) => {
    const toNearest = args.length >= 2 ? scalarArg(args, 1) : 1;
    // Prometheus divides by the inverse: fewer rounding surprises with 0.1 and the like.
    const inverse = 1 / toNearest;
    return mapValues((v) => Math.floor(v * inverse + 0.5) / inverse)(args, call, ts, cache);
  },
  absent: (args, call, _ts, cache) =>
    args[0]!.length > 0
      ? []
      : [{ labels: cache.keyed("", () => absentLabels(call.args[0]!)), v: 1, t: 0 }],
  sort: sortBy(false),
  sort_desc: sortBy(true),
  histogram_quantile: histogramQuantile,
  // Functions of native histograms skip float samples, and there are only float samples.
  histogram_count: () => [],
  histogram_sum: () => [],
  histogram_fraction: () => [],
  label_replace: labelReplace,
  label_join: labelJoin,
  minute: dateFn((d) => d.getUTCMinutes()),
  hour: dateFn((d) => d.getUTCHours()),
  day_of_month: dateFn((d) => d.getUTCDate()),
  day_of_week: dateFn((d) => d.getUTCDay()),
  day_of_year: dateFn(dayOfYear),
  days_in_month: dateFn(daysInMonth),
  month: dateFn((d) => d.getUTCMonth() + 1),
  year: dateFn((d) => d.getUTCFullYear()),
};
