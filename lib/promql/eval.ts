// The PromQL evaluator: Prometheus 2.42's promql/engine.go semantics over a Querier.
// As there, every node is evaluated over all the query's steps at once (a range query
// is a loop over steps inside each node, an instant query is a range of one step), so a
// selector is read once per query, not once per step.

import type {
  AtModifier,
  Call,
  Expr,
  MatrixSelector,
  Subquery,
  ValueType,
  VectorMatching,
  VectorSelector,
} from "./ast";
import { aggregate, AggregateCache, aggregateSteps, RUNNING_OPS } from "./eval-aggregate";
import {
  scalarBinop,
  vectorAnd,
  vectorBinop,
  vectorOr,
  vectorScalarBinop,
  vectorUnless,
} from "./eval-binary";
import {
  absentLabels,
  INSTANT_FUNCTIONS,
  RANGE_FUNCTIONS,
  type RangeFn,
  type WindowContext,
} from "./eval-functions";
import {
  compareLabels,
  dropMetricName,
  LabelsCache,
  labelsKey,
  NO_LABELS,
  signature,
} from "./eval-labels";
import {
  execError,
  type Matrix,
  PromQLEvalError,
  type StepSeries,
  type Vector,
} from "./eval-types";
import { exprType } from "./parse";
import { type Labels, lowerBound, type Querier, type SeriesData } from "./storage";
import { isStaleNaN } from "../metrics/stale";

export { PromQLEvalError } from "./eval-types";

export interface EvalOptions {
  /** How far back an instant selector looks for a sample; Prometheus's default 5 m. */
  lookbackDeltaMs?: number;
  /** Prometheus's --query.max-samples (50,000,000). */
  maxSamples?: number;
  /** Date.now() in ms after which evaluation stops with a timeout. */
  deadline?: number;
  /** The step of a subquery written without one (`[10m:]`): Prometheus's global evaluation interval, 1 m. */
  noStepSubqueryIntervalMs?: number;
}

export type Sample = { labels: Labels; v: number };

export type InstantResult =
  | { type: "scalar"; t: number; v: number }
  | { type: "string"; t: number; v: string }
  | { type: "vector"; t: number; samples: Sample[] }
  | { type: "matrix"; series: SeriesData[] };

export type RangeResult = {
  type: "matrix";
  series: { labels: Labels; t: number[]; v: number[] }[];
};

export const SUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  ...Object.keys(RANGE_FUNCTIONS),
  ...Object.keys(INSTANT_FUNCTIONS),
]);

/** Prometheus's API refuses range queries with more points per series than this. */
const MAX_POINTS_PER_SERIES = 11_000;

class Env {
  samples = 0;
  private ticks = 0;

  constructor(
    readonly q: Querier,
    readonly lookback: number,
    readonly maxSamples: number,
    readonly deadline: number | undefined,
    readonly noStepInterval: number,
    readonly queryStart: number,
    readonly queryEnd: number,
  ) {}

  /** Called in every loop over steps or series, so a slow query notices its deadline. */
  tick(): void {
    if (this.deadline === undefined || ++this.ticks % 256 !== 1) return;
    if (Date.now() > this.deadline) {
      throw new PromQLEvalError("timeout", "query timed out in expression evaluation");
    }
  }

  addSamples(n: number): void {
    this.samples += n;
    if (this.samples > this.maxSamples) throw tooManySamples();
  }

  /** Refuses `n` more samples held for a moment (a window) where they would be too many. */
  checkHeld(n: number): void {
    if (this.samples + n > this.maxSamples) throw tooManySamples();
  }
}

/** What one range function call's window slides over, the same for every series. */
interface Slide {
  env: Env;
  fn: RangeFn;
  steps: number[];
  maxts: Float64Array;
  /** The window stays where @ holds it. */
  still: boolean;
  rangeMs: number;
  /** The scalar arguments at every step, by argument index, if there are any. */
  scalarArgs: (number[] | undefined)[] | undefined;
  ctx: WindowContext;
}

/**
 * One series' window at every step, and the function's value where there is one. A
 * function of its own, not a loop inside rangeFunction: V8 then optimizes it as a whole
 * rather than replacing a running loop, whose code after the loop has no feedback yet.
 */
function slideWindow(s: Window, w: Slide): { t: number[]; v: number[] } {
  const { env, fn, steps, maxts, rangeMs, scalarArgs, ctx } = w;
  const t: number[] = [];
  const v: number[] = [];
  const n = s.t.length;
  let lo = 0;
  let hi = 0;
  for (let step = 0; step < steps.length; step++) {
    env.tick();
    const maxt = maxts[step]!;
    const mint = maxt - rangeMs;
    while (hi < n && s.t[hi]! <= maxt) hi++;
    while (lo < hi && s.t[lo]! < mint) lo++;
    if (lo === hi) {
      // An empty window: on to the first step whose window reaches the next sample (a
      // series that starts late, or a gap), or done when there is none. Window ends
      // never decrease from step to step.
      if (hi === n || w.still) break;
      step = lowerBound(maxts, s.t[hi]!, step + 1) - 1;
      continue;
    }
    // The window is held in memory while the function runs.
    env.checkHeld(hi - lo);
    ctx.ts = steps[step]!;
    ctx.rangeStart = mint;
    ctx.rangeEnd = maxt;
    if (scalarArgs) ctx.scalars = scalarArgs.map((a) => a?.[step] ?? NaN);
    const value = fn(s.t, s.v, lo, hi, ctx);
    if (value === undefined) continue;
    t.push(steps[step]!);
    v.push(value);
  }
  return { t, v };
}

function tooManySamples(): PromQLEvalError {
  return execError("query processing would load too many samples into memory in query execution");
}

function unwrap(e: Expr): Expr {
  while (e.kind === "paren") e = e.expr;
  return e;
}

/** Functions whose value depends on the evaluation time even when their arguments do not. */
const AT_MODIFIER_UNSAFE = new Set([
  "days_in_month",
  "day_of_month",
  "day_of_week",
  "day_of_year",
  "hour",
  "minute",
  "month",
  "year",
  "predict_linear",
  "time",
  "timestamp",
]);

const invariance = new WeakMap<Expr, boolean>();

/** Prometheus's PreprocessExpr test: the same value at every step. */
function isStepInvariant(e: Expr): boolean {
  let r = invariance.get(e);
  if (r !== undefined) return r;
  switch (e.kind) {
    case "number":
    case "string":
      r = true;
      break;
    case "vectorSelector":
    case "subquery":
      r = e.at !== undefined;
      break;
    case "matrixSelector":
      r = e.vector.at !== undefined;
      break;
    // Prometheus looks at the aggregated expression only, not at the parameter.
    case "aggregate":
    case "paren":
    case "unary":
      r = isStepInvariant(e.expr);
      break;
    case "binary":
      r = isStepInvariant(e.lhs) && isStepInvariant(e.rhs);
      break;
    case "call":
      r = !AT_MODIFIER_UNSAFE.has(e.func) && e.args.every(isStepInvariant);
      break;
  }
  invariance.set(e, r);
  return r;
}

/** A series' samples without staleness markers, as range functions see them. */
interface Window {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
}

function withoutStale(s: { labels: Labels; t: ArrayLike<number>; v: ArrayLike<number> }): Window {
  const n = s.t.length;
  let stale = 0;
  for (let i = 0; i < n; i++) if (isStaleNaN(s.v[i]!)) stale++;
  // A store's arrays are used as they are (never written to) where nothing is left out.
  if (stale === 0 && s.t instanceof Float64Array && s.v instanceof Float64Array)
    return { labels: s.labels, t: s.t, v: s.v };
  const t = new Float64Array(n - stale);
  const v = new Float64Array(n - stale);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = s.v[i]!;
    if (isStaleNaN(x)) continue;
    t[k] = s.t[i]!;
    v[k++] = x;
  }
  return { labels: s.labels, t, v };
}

function assertUniqueLabelsets(items: { labels: Labels }[]): void {
  if (items.length < 2) return;
  const seen = new Set<string>();
  for (const s of items) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw execError("vector cannot contain metrics with the same labelset");
    seen.add(k);
  }
}

const SET_OPS = new Set(["and", "or", "unless"]);

class Evaluator {
  constructor(
    private readonly env: Env,
    private readonly start: number,
    private readonly end: number,
    private readonly interval: number,
    /** The step a store is told about (0 for an instant query). */
    private readonly hintStep: number,
    /** The latest time selectors without @ read up to (see subquery). */
    private readonly readUntil = Infinity,
  ) {}

  private resolveAt(at: AtModifier | undefined): number | undefined {
    if (at === "start") return this.env.queryStart;
    if (at === "end") return this.env.queryEnd;
    return at;
  }

  eval(e: Expr, func?: string): Matrix {
    this.env.tick();
    if (
      this.start !== this.end &&
      e.kind !== "number" &&
      exprType(e) !== "matrix" &&
      isStepInvariant(e)
    ) {
      return this.stepInvariant(e, func);
    }
    switch (e.kind) {
      case "paren":
        return this.eval(e.expr, func);
      case "number":
        return this.rangeEval([], () => [{ labels: NO_LABELS, v: e.value, t: 0 }]);
      case "string":
        throw new PromQLEvalError("internal", "a string cannot be evaluated as a vector");
      case "vectorSelector":
        return this.vectorSelector(e, func, false);
      case "matrixSelector":
        if (this.start !== this.end) {
          throw new PromQLEvalError("internal", "cannot do range evaluation of matrix selector");
        }
        return this.matrixSelector(e);
      case "subquery":
        return this.subquery(e);
      case "unary": {
        const m = this.eval(e.expr);
        if (e.op === "+") return m;
        const out = m.map((s) => ({
          labels: dropMetricName(s.labels),
          t: s.t,
          v: s.v.map((x) => -x),
        }));
        assertUniqueLabelsets(out);
        return out;
      }
      case "binary":
        return this.binary(e);
      case "aggregate": {
        const grouping = [...e.grouping].sort();
        if (!e.param && RUNNING_OPS.has(e.op)) {
          const input = this.eval(e.expr, e.op);
          return aggregateSteps(e.op, grouping, e.without, input, this.stepTimes(), (n) => {
            this.env.tick();
            this.env.addSamples(n);
          });
        }
        const cache = new AggregateCache();
        const param = e.param ? unwrap(e.param) : undefined;
        if (param?.kind === "string") {
          return this.rangeEval([this.eval(e.expr, e.op)], (v) =>
            aggregate(e.op, grouping, e.without, param.value, v[0]!, cache),
          );
        }
        return this.rangeEval(
          [e.param ? this.eval(e.param) : undefined, this.eval(e.expr, e.op)],
          (v) => aggregate(e.op, grouping, e.without, v[0]?.[0]?.v, v[1]!, cache),
        );
      }
      case "call":
        return this.call(e);
    }
  }

  /**
   * Calls `fn` at every step with the step's vectors of the evaluated arguments and
   * collects its output into series (Prometheus's rangeEval).
   */
  private rangeEval(
    args: (Matrix | undefined)[],
    fn: (v: (Vector | undefined)[], ts: number) => Vector,
  ): Matrix {
    const cursors = args.map((m) => (m ? new Array<number>(m.length).fill(0) : undefined));
    // Output series by label object first (cheap), by label set second (exact).
    const byObject = new Map<Labels, StepSeries>();
    const byKey = new Map<string, StepSeries>();
    const seriesOf = (labels: Labels): StepSeries => {
      let series = byObject.get(labels);
      if (!series) {
        const k = labelsKey(labels);
        series = byKey.get(k);
        if (!series) {
          series = { labels, t: [], v: [] };
          byKey.set(k, series);
        }
        byObject.set(labels, series);
      }
      return series;
    };
    for (let ts = this.start; ts <= this.end; ts += this.interval) {
      this.env.tick();
      const vectors = args.map((m, i) => {
        if (!m) return undefined;
        const cur = cursors[i]!;
        const vec: Vector = [];
        for (let si = 0; si < m.length; si++) {
          const s = m[si]!;
          const j = cur[si]!;
          // Past the end first: reading past an array's end is V8's slow path.
          if (j < s.t.length && s.t[j] === ts) {
            vec.push({ labels: s.labels, v: s.v[j]!, t: s.st ? s.st[j]! : ts });
            cur[si] = j + 1;
          }
        }
        return vec;
      });
      const result = fn(vectors, ts);
      for (const r of result) {
        const series = seriesOf(r.labels);
        // A second sample for the same label set at this step.
        if (series.t[series.t.length - 1] === ts) {
          throw execError("vector cannot contain metrics with the same labelset");
        }
        series.t.push(ts);
        series.v.push(r.v);
      }
      this.env.addSamples(result.length);
      // An instant query keeps the function's order (sort() and sort_desc() rely on it).
      if (this.start === this.end) return result.map((r) => seriesOf(r.labels));
    }
    return [...byKey.values()];
  }

  private select(vs: VectorSelector, rangeMs: number, func: string | undefined): SeriesData[] {
    const at = this.resolveAt(vs.at);
    const start = (at ?? this.start) - vs.offsetMs - (rangeMs > 0 ? rangeMs : this.env.lookback);
    const end = (at ?? Math.min(this.end, this.readUntil)) - vs.offsetMs;
    try {
      return this.env.q.select(vs.matchers, {
        start,
        end,
        step: this.hintStep,
        func,
        range: rangeMs,
      });
    } catch (err) {
      if (err instanceof PromQLEvalError) throw err;
      throw new PromQLEvalError("internal", err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * The latest sample at or before each step (after offset and @) within the lookback,
   * unless it is a staleness marker. `sampleTimes` keeps each sample's own time, which
   * timestamp() reports.
   */
  private vectorSelector(
    vs: VectorSelector,
    func: string | undefined,
    sampleTimes: boolean,
  ): Matrix {
    const series = this.select(vs, 0, func);
    const at = this.resolveAt(vs.at);
    // Prometheus 2.42's timestamp() recomputes a selector's offset from its @ alone, so
    // `offset` is ignored there when @ is given.
    const offset = sampleTimes && at !== undefined ? 0 : vs.offsetMs;
    const lookback = this.env.lookback;
    const out: Matrix = [];
    for (const s of series) {
      this.env.tick();
      const t: number[] = [];
      const v: number[] = [];
      const st: number[] = [];
      const n = s.t.length;
      let j = 0;
      for (let ts = this.start; ts <= this.end; ts += this.interval) {
        this.env.tick();
        const ref = (at ?? ts) - offset;
        while (j < n && s.t[j]! <= ref) j++;
        if (j === 0) continue;
        const sampleT = s.t[j - 1]!;
        const x = s.v[j - 1]!;
        if (sampleT < ref - lookback || isStaleNaN(x)) continue;
        t.push(ts);
        v.push(x);
        if (sampleTimes) st.push(sampleT);
      }
      this.env.addSamples(t.length);
      if (t.length > 0)
        out.push(sampleTimes ? { labels: s.labels, t, v, st } : { labels: s.labels, t, v });
    }
    return out;
  }

  /** A range selector at the (single) evaluation time: the samples in [t - range, t]. */
  private matrixSelector(ms: MatrixSelector): Matrix {
    const at = this.resolveAt(ms.vector.at);
    const maxt = (at ?? this.start) - ms.vector.offsetMs;
    const mint = maxt - ms.rangeMs;
    const out: Matrix = [];
    for (const s of this.select(ms.vector, ms.rangeMs, undefined)) {
      const w = withoutStale(s);
      const t: number[] = [];
      const v: number[] = [];
      for (let i = 0; i < w.t.length; i++) {
        if (w.t[i]! < mint || w.t[i]! > maxt) continue;
        t.push(w.t[i]!);
        v.push(w.v[i]!);
      }
      this.env.addSamples(t.length);
      if (t.length > 0) out.push({ labels: s.labels, t, v });
    }
    return out;
  }

  /**
   * An expression whose value does not depend on the step (its selectors all have @) is
   * evaluated once, at the first step, and repeated: Prometheus's StepInvariantExpr.
   * Usually that is the same as evaluating every step; it is not where Prometheus counts
   * something as invariant that is not (an aggregation's parameter), and that is kept.
   */
  private stepInvariant(e: Expr, func: string | undefined): Matrix {
    const single = new Evaluator(
      this.env,
      this.start,
      this.start,
      this.interval,
      this.hintStep,
      this.readUntil,
    );
    const once = single.eval(e, func);
    const steps: number[] = [];
    for (let ts = this.start; ts <= this.end; ts += this.interval) steps.push(ts);
    this.env.addSamples(once.length * (steps.length - 1));
    return once.map((s) => ({ labels: s.labels, t: steps, v: steps.map(() => s.v[0]!) }));
  }

  /**
   * The inner expression at steps aligned to multiples of the subquery's step. `moving`:
   * see rangeFunction.
   */
  private subquery(sq: Subquery, moving = false): Matrix {
    const step = sq.stepMs ?? this.env.noStepInterval;
    const at = this.resolveAt(sq.at);
    const from = (at ?? this.start) - sq.offsetMs - sq.rangeMs;
    let start = step * Math.trunc(from / step);
    if (start < from) start += step;
    const end =
      (moving && at !== undefined ? at + this.end - this.start : (at ?? this.end)) - sq.offsetMs;
    // Prometheus reads a subquery's selectors up to its @ only, even where it then
    // evaluates the subquery past it.
    const readUntil = at === undefined ? this.readUntil - sq.offsetMs : at - sq.offsetMs;
    return new Evaluator(this.env, start, end, step, step, readUntil).eval(sq.expr);
  }

  private binary(e: Extract<Expr, { kind: "binary" }>): Matrix {
    const lt = exprType(e.lhs);
    const rt = exprType(e.rhs);
    const lhs = this.eval(e.lhs);
    const rhs = this.eval(e.rhs);
    if (lt === "scalar" && rt === "scalar") {
      return this.rangeEval([lhs, rhs], (v) => [
        { labels: NO_LABELS, v: scalarBinop(e.op, v[0]![0]!.v, v[1]![0]!.v), t: 0 },
      ]);
    }
    if (lt === "vector" && rt === "vector") {
      const m: VectorMatching = e.matching ?? {
        card: SET_OPS.has(e.op) ? "many-to-many" : "one-to-one",
        on: false,
        labels: [],
        include: [],
      };
      const sigs = new Map<Labels, string>();
      const cache = new LabelsCache();
      const sigOf = (l: Labels): string => {
        let s = sigs.get(l);
        if (s === undefined) {
          s = signature(l, m.on, m.labels);
          sigs.set(l, s);
        }
        return s;
      };
      return this.rangeEval([lhs, rhs], (v) => {
        const l = v[0]!;
        const r = v[1]!;
        const ls = (i: number) => sigOf(l[i]!.labels);
        const rs = (i: number) => sigOf(r[i]!.labels);
        switch (e.op) {
          case "and":
            return vectorAnd(l, r, ls, rs);
          case "or":
            return vectorOr(l, r, ls, rs);
          case "unless":
            return vectorUnless(l, r, ls, rs);
          default:
            return vectorBinop(e.op, l, r, m, e.returnBool, ls, rs, cache);
        }
      });
    }
    if (lt === "vector") {
      return this.rangeEval([lhs, rhs], (v) =>
        vectorScalarBinop(e.op, v[0]!, v[1]![0]!.v, false, e.returnBool),
      );
    }
    return this.rangeEval([lhs, rhs], (v) =>
      vectorScalarBinop(e.op, v[1]!, v[0]![0]!.v, true, e.returnBool),
    );
  }

  private call(e: Call): Matrix {
    if (e.func === "timestamp") {
      const arg = unwrap(e.args[0]!);
      if (arg.kind === "vectorSelector") {
        const cache = new LabelsCache();
        return this.rangeEval([this.vectorSelector(arg, e.func, true)], (v, ts) =>
          INSTANT_FUNCTIONS.timestamp!(v, e, ts, cache),
        );
      }
    }
    if (Object.hasOwn(RANGE_FUNCTIONS, e.func)) return this.rangeFunction(e);
    const fn = Object.hasOwn(INSTANT_FUNCTIONS, e.func) ? INSTANT_FUNCTIONS[e.func] : undefined;
    if (!fn) throw new PromQLEvalError("bad_data", `function "${e.func}" is not supported`);
    const args = e.args.map((a) => (exprType(a) === "string" ? undefined : this.eval(a, e.func)));
    const cache = new LabelsCache();
    return this.rangeEval(args, (v, ts) => fn(v, e, ts, cache));
  }

  /** A function of a range vector, one series at a time, sliding its window over the steps. */
  private rangeFunction(e: Call): Matrix {
    const { fn, matrixArg } = RANGE_FUNCTIONS[e.func]!;
    const arg = unwrap(e.args[matrixArg]!);
    // Prometheus 2.42 turns @ into an offset from the first step. Where the call is
    // evaluated once (step invariant) that is exact; where it is evaluated at every step
    // (predict_linear, or another argument that varies) the window moves on from @ with
    // the steps, over data read up to @ only. Kept, to answer as Prometheus does.
    const moving = this.start !== this.end && !isStepInvariant(e);
    let input: Window[];
    let rangeMs: number;
    let offsetMs: number;
    let at: number | undefined;
    if (arg.kind === "matrixSelector") {
      input = this.select(arg.vector, arg.rangeMs, e.func).map(withoutStale);
      ({ rangeMs } = arg);
      offsetMs = arg.vector.offsetMs;
      at = this.resolveAt(arg.vector.at);
    } else if (arg.kind === "subquery") {
      input = this.subquery(arg, moving).map(withoutStale);
      ({ rangeMs, offsetMs } = arg);
      at = this.resolveAt(arg.at);
    } else {
      throw new PromQLEvalError("internal", `${e.func}() expects a range vector`);
    }
    // The other arguments are scalars: one value at every step.
    const scalarArgs = e.args.map((a, i) => (i === matrixArg ? undefined : this.eval(a)[0]?.v));

    const keepName = e.func === "last_over_time";
    const steps = this.stepTimes();
    const slide: Slide = {
      env: this.env,
      fn,
      steps,
      // Each step's window end: it moves with the steps unless @ holds it still.
      maxts: Float64Array.from(
        steps,
        (ts) => (at === undefined ? ts : moving ? at + ts - this.start : at) - offsetMs,
      ),
      still: at !== undefined && !moving,
      rangeMs,
      scalarArgs: scalarArgs.some((a) => a !== undefined) ? scalarArgs : undefined,
      // One context object for every call; the functions only read it.
      ctx: { ts: 0, rangeStart: 0, rangeEnd: 0, rangeMs, scalars: [] },
    };
    const out: Matrix = [];
    for (const s of input) {
      const { t, v } = slideWindow(s, slide);
      this.env.addSamples(t.length);
      if (t.length > 0) out.push({ labels: keepName ? s.labels : dropMetricName(s.labels), t, v });
    }

    if (e.func === "absent_over_time") return this.absentOverTime(e, out);
    assertUniqueLabelsets(out);
    return out;
  }

  /** The evaluation times, as the loops over steps add them up. */
  private stepTimes(): number[] {
    const steps: number[] = [];
    for (let ts = this.start; ts <= this.end; ts += this.interval) steps.push(ts);
    return steps;
  }

  /** 1 at the steps where no input series had a sample in its window. */
  private absentOverTime(e: Call, present: Matrix): Matrix {
    const found = new Set<number>();
    for (const s of present) for (const t of s.t) found.add(t);
    const t: number[] = [];
    for (let ts = this.start; ts <= this.end; ts += this.interval) if (!found.has(ts)) t.push(ts);
    if (t.length === 0) return [];
    return [{ labels: absentLabels(e.args[0]!), t, v: t.map(() => 1) }];
  }
}

function makeEnv(q: Querier, opts: EvalOptions, start: number, end: number): Env {
  return new Env(
    q,
    // As in Prometheus, a lookback that is not positive means the default.
    opts.lookbackDeltaMs !== undefined && opts.lookbackDeltaMs > 0 ? opts.lookbackDeltaMs : 300_000,
    opts.maxSamples ?? 50_000_000,
    opts.deadline,
    opts.noStepSubqueryIntervalMs ?? 60_000,
    start,
    end,
  );
}

function documentedType(t: ValueType): string {
  return t === "matrix" ? "range vector" : t === "vector" ? "instant vector" : t;
}

/** Evaluates `expr` at one instant (Prometheus's /api/v1/query). */
export function evaluateInstant(
  expr: Expr,
  q: Querier,
  timeMs: number,
  opts: EvalOptions = {},
): InstantResult {
  const type = exprType(expr);
  if (type === "string") {
    const s = unwrap(expr);
    return { type: "string", t: timeMs, v: s.kind === "string" ? s.value : "" };
  }
  const mat = new Evaluator(makeEnv(q, opts, timeMs, timeMs), timeMs, timeMs, 1, 0).eval(expr);
  if (type === "matrix")
    return { type: "matrix", series: mat.map(({ labels, t, v }) => ({ labels, t, v })) };
  if (type === "scalar") return { type: "scalar", t: timeMs, v: mat[0]?.v[0] ?? NaN };
  return { type: "vector", t: timeMs, samples: mat.map((s) => ({ labels: s.labels, v: s.v[0]! })) };
}

/** Evaluates `expr` at every step from start to end (Prometheus's /api/v1/query_range). */
export function evaluateRange(
  expr: Expr,
  q: Querier,
  startMs: number,
  endMs: number,
  stepMs: number,
  opts: EvalOptions = {},
): RangeResult {
  if (endMs < startMs)
    throw new PromQLEvalError("bad_data", "end timestamp must not be before start time");
  if (!(stepMs > 0)) {
    throw new PromQLEvalError(
      "bad_data",
      "zero or negative query resolution step widths are not accepted. Try a positive integer",
    );
  }
  // Refused before anything is read, so a huge range costs nothing.
  if (Math.floor((endMs - startMs) / stepMs) > MAX_POINTS_PER_SERIES) {
    throw new PromQLEvalError(
      "bad_data",
      "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
    );
  }
  const type = exprType(expr);
  if (type !== "vector" && type !== "scalar") {
    throw new PromQLEvalError(
      "bad_data",
      `invalid expression type "${documentedType(type)}" for range query, must be Scalar or instant Vector`,
    );
  }
  const mat = new Evaluator(makeEnv(q, opts, startMs, endMs), startMs, endMs, stepMs, stepMs).eval(
    expr,
  );
  mat.sort((a, b) => compareLabels(a.labels, b.labels));
  return { type: "matrix", series: mat.map(({ labels, t, v }) => ({ labels, t, v })) };
}
