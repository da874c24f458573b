/**
 * The anomaly detector behind the `anomaly` alert condition and its preview: one series
 * judged against its own recent behaviour. Pure arithmetic, safe in the browser.
 *
 * ## The grid
 * Everything happens on a grid of steps `stepMs` apart, aligned to `range.from`. A step
 * at t takes the latest point with t − stepMs < p.t ≤ t (a range query at stepMs gives
 * exactly one per step); a step without one is missing. Points whose value is not finite
 * (NaN, ±Inf) are left out as if never sent; so are points without a finite time. The
 * points need not be sorted.
 *
 * ## The expectation at a step (its band)
 * - The training window of a step is the `trainingMs / stepMs` steps (rounded) that end
 *   just before the last `of` steps: the point being judged and the other points of its
 *   N-of-M window are never part of what they are judged against, so a step change
 *   cannot teach itself to be normal while it is being confirmed.
 * - `mad`: expected = the median of the training window's values; scale = 1.4826 × their
 *   median absolute deviation (the MAD of a normal sample × 1.4826 estimates its σ).
 *   Exact, over a Fenwick tree of the series' value ranks: O(log² n) a step.
 * - `ewma`: expected = the exponentially weighted mean of the training window, weight
 *   (1 − α)^j for the value j steps before the window's newest; scale = the weighted
 *   standard deviation with the same weights. α defaults to 2 / (n + 1), n the window's
 *   steps (the usual "span n" convention: about as much memory as an n-point mean). The
 *   weights stop at the training window, so the answer depends on the window alone.
 * - Seasonal (`seasonalWeeks` 3–6): the reference values are those within ±2 steps
 *   (`SEASONAL_HALF_WIDTH_STEPS`) of the same time of the week, 1 … seasonalWeeks weeks
 *   back; expected and scale are the method's centre and spread of those values (`mad`:
 *   median and 1.4826 × MAD; `ewma`: a weighted mean and σ, a week k weeks back weighing
 *   (1 − α)^(k − 1), α defaulting to 2 / (seasonalWeeks + 1)). A daily or weekly pattern
 *   is then its own expectation. Fewer than 3 weeks with a reference value (a new
 *   service, a gap) fall back to the rolling window: `basis` says which was used.
 * - Too little to learn from: a rolling window with fewer than
 *   max(10, ⌈a quarter of its steps⌉) values (`minTrainingPoints`) gives no expectation:
 *   expected, lower and upper are null, `basis` is "insufficient", nothing is anomalous.
 * - Scale 0 (a constant training window, or more than half of it one value for `mad`):
 *   the scale is raised to a floor of 1e-9 × |expected| (`SCALE_FLOOR`) so rounding noise
 *   is not an anomaly, and `minChange` decides what a real change is.
 *
 * ## Anomalous
 * A present value v is anomalous when |v − expected| > deviations × scale AND
 * |v − expected| ≥ minChange (so a quiet metric never pages over a tiny change), in the
 * chosen `direction` ("up": v above expected only; "down": below; default both). The band
 * drawn is expected ± max(deviations × scale, minChange): a value outside it is anomalous.
 * A missing step is never anomalous.
 *
 * ## Firing
 * - A step fires when at least `points` of the last `of` steps (itself included; missing
 *   steps count as not anomalous) are anomalous. Once firing it stays firing while that
 *   holds or while less than `recoveryMs` has passed since the last anomalous point; it
 *   resolves at the first step where neither is true. So after the last anomalous step
 *   a, it resolves at a + max(⌈recoveryMs / stepMs⌉, of − points + 1) steps (when the run
 *   before a held `points` anomalies), and recoveryMs 0 means "firing exactly while N of
 *   M holds".
 * - A step up that stays: fires at its `points`-th anomalous step. With `mad` its points
 *   stay anomalous until the new level makes up half the training window (the median
 *   moves to it; the MAD of a window half one level and half another is half the step,
 *   which makes the band wide): the last anomalous step is ⌊(n − 1) / 2⌋ + of − 1 steps
 *   after the step for an n-step window, and then it resolves as above. The new level is
 *   then the normal. With `ewma` the variance absorbs the change much sooner: once the
 *   new level's share p of the weights satisfies p ≥ 1 / (1 + deviations²) (1/10 for 3).
 *   A step that comes back before then resolves from its last anomalous point.
 * - Seasonal: a level that changes for good stays anomalous until it is at the same time
 *   of week in most reference weeks (the median of the references moves), i.e. for about
 *   half of seasonalWeeks weeks: use the rolling method for metrics that shift level.
 * - A drift is followed by the rolling window: with `mad` a steady ramp of slope r a step
 *   sits about r × (of + n / 2) above the median while the ramp's own MAD is r × n / 4,
 *   so a ramp that fills the window never fires by itself (its band grows with it); a
 *   drift fires only while it outruns the window, i.e. when the lag it builds before it
 *   fills the window exceeds the band learnt from the calm before (and minChange).
 *
 * ## History and state
 * The points before `range.from` train the expectation and also run the N-of-M and
 * recovery state, over the history `historyWindows(params, from)` names, so the answer at
 * a step does not depend on where the range starts: a live evaluation at t over the
 * windows `historyWindows(params, t)` gives the preview's band and anomaly at t. Its
 * firing agrees too, except for an episode kept alive longer than those windows by
 * anomalies that never again make N of M (the live caller keeps its own alert state).
 *
 * Deterministic; never throws. Parameters or a range that `anomalyProblem` refuses give
 * an empty answer (and `historyWindows` no windows): callers check it first to show why.
 */
import { formatDuration } from "@/lib/duration";

export type AnomalyMethod = "mad" | "ewma";
export type AnomalyDirection = "both" | "up" | "down";
export type AnomalyBasis = "seasonal" | "rolling" | "insufficient";

export type AnomalyParams = {
  method: AnomalyMethod;
  trainingMs: number;
  seasonalWeeks: number | null;
  deviations: number;
  minChange: number;
  points: number;
  of: number;
  recoveryMs: number;
  stepMs: number;
  /** EWMA smoothing in (0, 1]; default 2 / (n + 1), n the training steps (seasonal: weeks). */
  alpha?: number;
  /** Which side of the band is anomalous; default "both". */
  direction?: AnomalyDirection;
};

export type Point = { t: number; v: number };

export type BandPoint = {
  t: number;
  v: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  anomalous: boolean;
  firing: boolean;
  /** Where the expectation came from (always set by detectAnomalies). */
  basis?: AnomalyBasis;
};

export const WEEK_MS = 7 * 86_400_000;
/** MAD × 1.4826 estimates σ for normally distributed values. */
export const MAD_TO_SIGMA = 1.4826;
export const MIN_TRAINING_POINTS = 10;
export const MIN_SEASONAL_WEEKS = 3;
export const SEASONAL_HALF_WIDTH_STEPS = 2;
export const SCALE_FLOOR = 1e-9;
/** History plus range, in steps: a bound on memory and time (~50 bytes a step). */
export const MAX_GRID_STEPS = 500_000;
export const MAX_OF = 1000;
/** Seasonal needs a step that can tell times of the week apart. */
export const MAX_SEASONAL_STEP_MS = 3_600_000;

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const isInt = (x: unknown): x is number => isNum(x) && Number.isInteger(x);

/** Why these parameters (and, when given, this range) cannot be evaluated; null when they can. */
export function anomalyProblem(
  params: AnomalyParams,
  range?: { from: number; to: number },
): string | null {
  if (params === null || typeof params !== "object") return "anomaly parameters are missing";
  const p = params;
  if (p.method !== "mad" && p.method !== "ewma") return 'method must be "mad" or "ewma"';
  if (!isNum(p.stepMs) || p.stepMs < 1) return "stepMs must be a positive number of milliseconds";
  if (!isNum(p.trainingMs) || Math.round(p.trainingMs / p.stepMs) < MIN_TRAINING_POINTS)
    return `the training window must hold at least ${MIN_TRAINING_POINTS} steps (trainingMs ≥ ${MIN_TRAINING_POINTS} × stepMs)`;
  if (p.seasonalWeeks !== null) {
    if (!isInt(p.seasonalWeeks) || p.seasonalWeeks < MIN_SEASONAL_WEEKS || p.seasonalWeeks > 6)
      return `seasonalWeeks must be a whole number from ${MIN_SEASONAL_WEEKS} to 6, or null`;
    if (p.stepMs > MAX_SEASONAL_STEP_MS) return "a seasonal rule needs a step of at most 1h";
  }
  if (!isNum(p.deviations) || p.deviations <= 0) return "deviations must be a number above 0";
  if (!isNum(p.minChange) || p.minChange < 0) return "minChange must be a number of at least 0";
  if (!isInt(p.of) || p.of < 1 || p.of > MAX_OF)
    return `of must be a whole number from 1 to ${MAX_OF}`;
  if (!isInt(p.points) || p.points < 1 || p.points > p.of)
    return "points must be a whole number from 1 to of";
  if (!isNum(p.recoveryMs) || p.recoveryMs < 0)
    return "recoveryMs must be a number of milliseconds, at least 0";
  if (p.alpha !== undefined && (!isNum(p.alpha) || p.alpha <= 0 || p.alpha > 1))
    return "alpha must be above 0 and at most 1";
  if (p.direction !== undefined && !["both", "up", "down"].includes(p.direction))
    return 'direction must be "both", "up" or "down"';
  const g = shape(p);
  if (-earliestOffset(p, g) > MAX_GRID_STEPS)
    return `the history this rule needs is more than ${MAX_GRID_STEPS} steps: use a longer step or a shorter training window`;
  if (range !== undefined) {
    if (range === null || !isNum(range.from) || !isNum(range.to))
      return "the range needs a finite from and to";
    if (range.to < range.from) return "the range ends before it starts";
    const total = -earliestOffset(p, g) + Math.floor((range.to - range.from) / p.stepMs) + 1;
    if (total > MAX_GRID_STEPS)
      return `the range and the history it needs are ${total} steps, more than ${MAX_GRID_STEPS}: use a longer step or a shorter range`;
  }
  return null;
}

type Shape = {
  step: number;
  /** Training window, in steps. */
  n: number;
  recoverySteps: number;
  weekSteps: number;
  minPoints: number;
  alphaRolling: number;
  alphaSeasonal: number;
};

function shape(p: AnomalyParams): Shape {
  const n = Math.round(p.trainingMs / p.stepMs);
  return {
    step: p.stepMs,
    n,
    recoverySteps: Math.ceil(p.recoveryMs / p.stepMs),
    weekSteps: Math.round(WEEK_MS / p.stepMs),
    minPoints: Math.max(MIN_TRAINING_POINTS, Math.ceil(n / 4)),
    alphaRolling: p.alpha ?? 2 / (n + 1),
    alphaSeasonal: p.alpha ?? 2 / ((p.seasonalWeeks ?? 1) + 1),
  };
}

/** The fewest values a rolling training window needs before it gives an expectation. */
export function minTrainingPoints(params: AnomalyParams): number {
  return shape(params).minPoints;
}

/**
 * The history a step's state needs, in steps relative to it ([start, end], both ≤ 0):
 * the flags of the last recovery period plus one N-of-M window (a trigger in that period
 * is what keeps an episode firing), and what each of those flags is judged against.
 */
function offsetWindows(p: AnomalyParams, g: Shape): [number, number][] {
  const flags = g.recoverySteps + p.of - 1;
  const out: [number, number][] = [[-(flags + p.of - 1 + g.n), 0]];
  const h = SEASONAL_HALF_WIDTH_STEPS;
  for (let k = 1; k <= (p.seasonalWeeks ?? 0); k++)
    out.push([-(flags + k * g.weekSteps + h), -k * g.weekSteps + h]);
  out.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of out) {
    const last = merged[merged.length - 1];
    if (last && w[0] <= last[1] + 1) last[1] = Math.max(last[1], w[1]);
    else merged.push([w[0], w[1]]);
  }
  return merged;
}

function earliestOffset(p: AnomalyParams, g: Shape): number {
  return offsetWindows(p, g)[0]![0];
}

/**
 * The time ranges of history a live evaluation at `t` needs, merged and sorted. Starts and
 * ends are on t's grid, so a range query from start to end at stepMs answers exactly the
 * grid's steps. Rolling: [t − trainingMs − 2·(of − 1)·step − recoveryMs, t] (recovery
 * rounded up to whole steps): each step of the last recovery period and N-of-M window
 * with its own training window; seasonal adds the same span around t − k weeks.
 */
export function historyWindows(params: AnomalyParams, t: number): { start: number; end: number }[] {
  if (anomalyProblem(params) !== null || !isNum(t)) return [];
  const g = shape(params);
  return offsetWindows(params, g).map(([a, b]) => ({ start: t + a * g.step, end: t + b * g.step }));
}

/** Counts of values by rank (a Fenwick tree): add, remove and the k-th smallest in O(log n). */
class RankCounts {
  private readonly tree: Int32Array;
  private readonly top: number;
  size = 0;
  constructor(private readonly sorted: Float64Array) {
    this.tree = new Int32Array(sorted.length + 1);
    let top = 1;
    while (top * 2 <= sorted.length) top *= 2;
    this.top = top;
  }
  add(rank: number, delta: 1 | -1): void {
    this.size += delta;
    for (let i = rank + 1; i < this.tree.length; i += i & -i) this.tree[i]! += delta;
  }
  /** The k-th smallest value held, k from 1 to size. */
  kth(k: number): number {
    let pos = 0;
    const tree = this.tree;
    for (let b = this.top; b > 0; b >>= 1) {
      const next = pos + b;
      if (next < tree.length && tree[next]! < k) {
        pos = next;
        k -= tree[next]!;
      }
    }
    return this.sorted[pos]!;
  }
}

/** Median and 1.4826 × MAD of the values held (size ≥ 1). */
function rollingMad(counts: RankCounts): { centre: number; scale: number } {
  const c = counts.size;
  const half = c >> 1;
  const centre = c % 2 === 1 ? counts.kth(half + 1) : (counts.kth(half) + counts.kth(half + 1)) / 2;
  // The deviations are two ascending runs: centre − x going down from the middle, and
  // x − centre going up from it. The k-th smallest of their union, by bisecting how many
  // come from the first run; the next one after it comes free.
  const q = c - half; // values x_1..x_q ≤ centre ≤ x_(q+1)..x_c
  const lenB = c - q;
  const A = (i: number) => centre - counts.kth(q - i + 1);
  const B = (j: number) => counts.kth(q + j) - centre;
  const k = c % 2 === 1 ? half + 1 : half;
  let lo = Math.max(0, k - lenB);
  let hi = Math.min(k, q);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (A(mid) <= B(k - mid + 1)) lo = mid;
    else hi = mid - 1;
  }
  const kthDev = Math.max(lo > 0 ? A(lo) : -Infinity, k - lo > 0 ? B(k - lo) : -Infinity);
  let mad = kthDev;
  if (c % 2 === 0) {
    const next = Math.min(lo < q ? A(lo + 1) : Infinity, k - lo < lenB ? B(k - lo + 1) : Infinity);
    mad = (kthDev + next) / 2;
  }
  return { centre, scale: MAD_TO_SIGMA * mad };
}

function sortedMedian(v: Float64Array): number {
  const h = v.length >> 1;
  return v.length % 2 === 1 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

function smallMad(values: Float64Array, scratch: Float64Array): { centre: number; scale: number } {
  values.sort();
  const centre = sortedMedian(values);
  const dev = scratch.subarray(0, values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i]! - centre);
  dev.sort();
  return { centre, scale: MAD_TO_SIGMA * sortedMedian(dev) };
}

function weightedMoments(
  values: Float64Array,
  weights: Float64Array,
): { centre: number; scale: number } {
  let w = 0;
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    w += weights[i]!;
    m += weights[i]! * values[i]!;
  }
  m /= w;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += weights[i]! * (values[i]! - m) ** 2;
  return { centre: m, scale: Math.sqrt(v / w) };
}

/**
 * Runs the detector over one series and answers, for every step from `from` to `to`
 * (inclusive, on the stepMs grid aligned to `from`), its band and state; see the spec at
 * the top of this file. O(n log² n) for `mad`, O(n) for `ewma`, plus O(n · weeks) seasonal.
 */
export function detectAnomalies(
  points: Point[],
  params: AnomalyParams,
  range: { from: number; to: number },
): BandPoint[] {
  if (anomalyProblem(params, range) !== null) return [];
  const p = params;
  const g = shape(p);
  const { step, n: trainSteps } = g;
  const look = -earliestOffset(p, g);
  const size = look + Math.floor((range.to - range.from) / step) + 1;
  const origin = range.from - look * step;

  const values = new Float64Array(size).fill(NaN);
  const pointAt = new Float64Array(size).fill(-Infinity);
  for (const point of Array.isArray(points) ? points : []) {
    if (point === null || typeof point !== "object") continue;
    const { t, v } = point;
    if (!isNum(t) || !isNum(v)) continue;
    const i = Math.ceil((t - origin) / step);
    if (i < 0 || i >= size || t < pointAt[i]!) continue;
    pointAt[i] = t;
    values[i] = v;
  }

  // Value ranks for the rolling median's tree.
  const present: number[] = [];
  for (let i = 0; i < size; i++) if (!Number.isNaN(values[i]!)) present.push(values[i]!);
  const sorted = Float64Array.from(present).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i]!;
  const ranks = sorted.subarray(0, distinct);
  const rank = new Int32Array(size).fill(-1);
  for (let i = 0; i < size; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranks[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
  }
  const counts = new RankCounts(ranks);

  // EWMA sums over the training window, of values less a reference to keep them small;
  // recomputed from scratch every window's length so rounding cannot build up.
  const ref = present.length > 0 ? present[0]! : 0;
  const r = 1 - g.alphaRolling;
  const rn = r ** trainSteps;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  const recompute = (e: number) => {
    s0 = s1 = s2 = 0;
    let w = 1;
    for (let j = 0; j < trainSteps && e - j >= 0; j++, w *= r) {
      const x = values[e - j]! - ref;
      if (Number.isNaN(x)) continue;
      s0 += w;
      s1 += w * x;
      s2 += w * x * x;
    }
  };

  const weeks = p.seasonalWeeks ?? 0;
  const h = SEASONAL_HALF_WIDTH_STEPS;
  const refValues = new Float64Array(Math.max(1, weeks * (2 * h + 1)));
  const refWeights = new Float64Array(refValues.length);
  const scratch = new Float64Array(refValues.length);
  const weekWeight = Array.from({ length: weeks + 1 }, (_, k) => (1 - g.alphaSeasonal) ** (k - 1));

  const direction = p.direction ?? "both";
  const ring = new Uint8Array(p.of);
  let inWindow = 0;
  let lastAnomalous = -Infinity;
  let firing = false;
  const out: BandPoint[] = [];

  for (let i = 0; i < size; i++) {
    // Slide the rolling window to end at i − of.
    const e = i - p.of;
    if (e >= 0) {
      if (rank[e]! >= 0) counts.add(rank[e]!, 1);
      const gone = e - trainSteps;
      if (gone >= 0 && rank[gone]! >= 0) counts.add(rank[gone]!, -1);
      if (p.method === "ewma") {
        if (e % trainSteps === 0) recompute(e);
        else {
          const x = values[e]! - ref;
          const y = gone >= 0 ? values[gone]! - ref : NaN;
          s0 = r * s0 + (Number.isNaN(x) ? 0 : 1) - (Number.isNaN(y) ? 0 : rn);
          s1 = r * s1 + (Number.isNaN(x) ? 0 : x) - (Number.isNaN(y) ? 0 : rn * y);
          s2 = r * s2 + (Number.isNaN(x) ? 0 : x * x) - (Number.isNaN(y) ? 0 : rn * y * y);
        }
      }
    }

    let basis: AnomalyBasis = "insufficient";
    let centre = 0;
    let scale = 0;
    if (weeks > 0) {
      let c = 0;
      let weeksSeen = 0;
      for (let k = 1; k <= weeks; k++) {
        const base = i - k * g.weekSteps;
        let seen = false;
        for (let d = -h; d <= h; d++) {
          const j = base + d;
          if (j < 0 || j > e) continue;
          const v = values[j]!;
          if (Number.isNaN(v)) continue;
          refValues[c] = v;
          refWeights[c++] = weekWeight[k]!;
          seen = true;
        }
        if (seen) weeksSeen++;
      }
      if (weeksSeen >= MIN_SEASONAL_WEEKS) {
        const est =
          p.method === "mad"
            ? smallMad(refValues.subarray(0, c), scratch)
            : weightedMoments(refValues.subarray(0, c), refWeights.subarray(0, c));
        basis = "seasonal";
        centre = est.centre;
        scale = est.scale;
      }
    }
    if (basis === "insufficient" && counts.size >= g.minPoints) {
      basis = "rolling";
      if (p.method === "mad") ({ centre, scale } = rollingMad(counts));
      else {
        const mean = s1 / s0;
        centre = ref + mean;
        scale = Math.sqrt(Math.max(0, s2 / s0 - mean * mean));
      }
    }

    const v = values[i]!;
    let anomalous = false;
    let half = 0;
    if (basis !== "insufficient") {
      const s = Math.max(scale, SCALE_FLOOR * Math.abs(centre));
      half = Math.max(p.deviations * s, p.minChange);
      if (!Number.isNaN(v)) {
        const d = v - centre;
        const size = Math.abs(d);
        anomalous =
          size > p.deviations * s &&
          size >= p.minChange &&
          (direction === "both" || (direction === "up" ? d > 0 : d < 0));
      }
    }

    const slot = i % p.of;
    inWindow += (anomalous ? 1 : 0) - ring[slot]!;
    ring[slot] = anomalous ? 1 : 0;
    if (anomalous) lastAnomalous = i;
    if (inWindow >= p.points) firing = true;
    else if (firing && (i - lastAnomalous) * step >= p.recoveryMs) firing = false;

    if (i < look) continue;
    const known = basis !== "insufficient";
    out.push({
      t: range.from + (i - look) * step,
      v: Number.isNaN(v) ? null : v,
      expected: known ? centre : null,
      lower: known ? centre - half : null,
      upper: known ? centre + half : null,
      anomalous,
      firing,
      basis,
    });
  }
  return out;
}

const num = (x: number) => String(Number(x.toPrecision(6)));

/**
 * A one-line, human description of the method and its parameters, shown on the alert:
 * "median ± 3 × MAD over 6h; 3 of the last 5 points; recovers after 10m; ignores changes under 0.05".
 */
export function describeAnomaly(params: AnomalyParams): string {
  const p = params;
  const g = shape(p);
  const training = formatDuration(p.trainingMs);
  const centre = p.method === "mad" ? "median" : "EWMA mean";
  const spread = p.method === "mad" ? "MAD" : "σ";
  const parts: string[] = [];
  if (p.seasonalWeeks === null) {
    parts.push(
      `${centre} ± ${num(p.deviations)} × ${spread} over ${training}` +
        (p.method === "ewma" ? ` (α ${num(Number(g.alphaRolling.toPrecision(2)))})` : ""),
    );
  } else {
    const width = formatDuration(SEASONAL_HALF_WIDTH_STEPS * p.stepMs);
    parts.push(
      `${centre} ± ${num(p.deviations)} × ${spread} of the same time of week (±${width}) over the last ${p.seasonalWeeks} weeks` +
        (p.method === "ewma" ? ` (α ${num(Number(g.alphaSeasonal.toPrecision(2)))} a week)` : "") +
        `, over ${training} until ${MIN_SEASONAL_WEEKS} weeks are known`,
    );
  }
  if (p.direction === "up") parts.push("rises only");
  if (p.direction === "down") parts.push("falls only");
  parts.push(
    p.of === 1
      ? "each anomalous point"
      : p.points === p.of
        ? `${p.points} points in a row`
        : `${p.points} of the last ${p.of} points`,
  );
  parts.push(
    p.recoveryMs > 0 ? `recovers after ${formatDuration(p.recoveryMs)}` : "recovers at once",
  );
  if (p.minChange > 0) parts.push(`ignores changes under ${num(p.minChange)}`);
  return parts.join("; ");
}
