import { describe, expect, it } from "vitest";
import type {
  AggregateOp,
  BinaryOp,
  Expr,
  LabelMatcher,
  VectorMatching,
  VectorSelector,
} from "./ast";
import { evaluateInstant, evaluateRange, PromQLEvalError, SUPPORTED_FUNCTIONS } from "./eval";
import { FUNCTIONS } from "./functions";
import { MemoryQuerier } from "./memory-querier";
import type { Labels, SeriesData } from "./storage";
import { STALE_NAN } from "../metrics/stale";

// Syntax trees built by hand, so these tests do not depend on the parser.
const pos = { start: 0, end: 0 };
const num = (value: number): Expr => ({ kind: "number", value, pos });
const str = (value: string): Expr => ({ kind: "string", value, pos });
function sel(
  name: string,
  labels: Record<string, string> = {},
  mods: Partial<VectorSelector> = {},
): VectorSelector {
  const matchers: LabelMatcher[] = [{ name: "__name__", op: "=", value: name }];
  for (const [n, v] of Object.entries(labels)) matchers.push({ name: n, op: "=", value: v });
  return { kind: "vectorSelector", name, matchers, offsetMs: 0, at: undefined, pos, ...mods };
}
const range = (vector: VectorSelector, rangeMs: number): Expr => ({
  kind: "matrixSelector",
  vector,
  rangeMs,
  pos,
});
const call = (func: string, ...args: Expr[]): Expr => ({ kind: "call", func, args, pos });
const agg = (
  op: AggregateOp,
  expr: Expr,
  grouping: string[] = [],
  without = false,
  param?: Expr,
): Expr => ({
  kind: "aggregate",
  op,
  expr,
  param,
  grouping,
  without,
  pos,
});
const bin = (
  op: BinaryOp,
  lhs: Expr,
  rhs: Expr,
  matching?: Partial<VectorMatching>,
  returnBool = false,
): Expr => ({
  kind: "binary",
  op,
  lhs,
  rhs,
  returnBool,
  matching: matching && { card: "one-to-one", on: false, labels: [], include: [], ...matching },
  pos,
});

const S = 1000;
const M = 60 * S;

/**
 * A series sampled every 15 s from t=0 with the given values (undefined: no sample,
 * "stale": the staleness marker). Values go into a Float64Array: a plain array would
 * quieten the staleness NaN's bits, so the marker cannot be written in one either.
 */
function series(
  labels: Labels,
  values: (number | "stale" | undefined)[],
  stepMs = 15 * S,
): SeriesData {
  const present = values.flatMap((x, i) => (x === undefined ? [] : [i]));
  const t = new Float64Array(present.length);
  const v = new Float64Array(present.length);
  present.forEach((i, j) => {
    t[j] = i * stepMs;
    const x = values[i]!;
    v[j] = x === "stale" ? STALE_NAN : x;
  });
  return { labels, t, v };
}

function vectorAt(expr: Expr, q: MemoryQuerier, t: number): [Labels, number][] {
  const r = evaluateInstant(expr, q, t);
  if (r.type !== "vector") throw new Error(`expected a vector, got ${r.type}`);
  return r.samples.map((s) => [s.labels, s.v]);
}

describe("instant selectors", () => {
  const q = new MemoryQuerier([
    series({ __name__: "up", job: "a" }, [1, 1, 0, 1]),
    series({ __name__: "up", job: "b" }, [1, "stale"]),
  ]);

  it("takes the latest sample within the lookback, keeping __name__, at the evaluation time", () => {
    expect(vectorAt(sel("up"), q, 40 * S)).toEqual([[{ __name__: "up", job: "a" }, 0]]);
    // 5 m after the last sample at 45 s is still found (the lookback is inclusive), 1 ms later it is not.
    expect(vectorAt(sel("up", { job: "a" }), q, 45 * S + 5 * M)).toEqual([
      [{ __name__: "up", job: "a" }, 1],
    ]);
    expect(vectorAt(sel("up", { job: "a" }), q, 45 * S + 5 * M + 1)).toEqual([]);
  });

  it("drops a series whose latest sample is the staleness marker", () => {
    expect(vectorAt(sel("up", { job: "b" }), q, 10 * S)).toEqual([
      [{ __name__: "up", job: "b" }, 1],
    ]);
    expect(vectorAt(sel("up", { job: "b" }), q, 15 * S)).toEqual([]);
  });

  it("applies offset and @", () => {
    expect(vectorAt(sel("up", { job: "a" }, { offsetMs: 15 * S }), q, 45 * S)).toEqual([
      [{ __name__: "up", job: "a" }, 0],
    ]);
    expect(vectorAt(sel("up", { job: "a" }, { at: 20 * S }), q, 1000 * S)).toEqual([
      [{ __name__: "up", job: "a" }, 1],
    ]);
  });
});

describe("range functions", () => {
  // A counter that resets after 30, sampled every 15 s.
  const q = new MemoryQuerier([
    series({ __name__: "c_total", i: "x" }, [0, 10, 20, 30, 5, 15, 25]),
  ]);

  it("rate and increase add the value before a reset and extrapolate to the window", () => {
    // Window [30 s, 90 s] holds 20, 30, 5, 15, 25: increase 5 + 30 = 35 over 60 s sampled,
    // no extrapolation needed at either end.
    expect(vectorAt(call("increase", range(sel("c_total"), M)), q, 90 * S)).toEqual([
      [{ i: "x" }, 35],
    ]);
    expect(vectorAt(call("rate", range(sel("c_total"), M)), q, 90 * S)).toEqual([
      [{ i: "x" }, 35 / 60],
    ]);
    expect(vectorAt(call("resets", range(sel("c_total"), 2 * M)), q, 90 * S)).toEqual([
      [{ i: "x" }, 1],
    ]);
  });

  it("leaves staleness markers out of windows", () => {
    const stale = new MemoryQuerier([series({ __name__: "g" }, [1, 2, "stale", 4])]);
    expect(vectorAt(call("count_over_time", range(sel("g"), M)), stale, 45 * S)).toEqual([[{}, 3]]);
  });

  it("evaluates a subquery at multiples of its step", () => {
    const sq: Expr = {
      kind: "subquery",
      expr: sel("c_total"),
      rangeMs: M,
      stepMs: 30 * S,
      offsetMs: 0,
      at: undefined,
      pos,
    };
    // At 100 s, the multiples of 30 s in [40 s, 100 s] are 60 s and 90 s.
    const r = evaluateInstant(sq, q, 100 * S);
    expect(r).toEqual({
      type: "matrix",
      series: [{ labels: { __name__: "c_total", i: "x" }, t: [60 * S, 90 * S], v: [5, 25] }],
    });
  });

  it("irate uses the last two samples and last_over_time keeps the name", () => {
    expect(vectorAt(call("irate", range(sel("c_total"), M)), q, 60 * S)).toEqual([
      [{ i: "x" }, 5 / 15],
    ]);
    expect(vectorAt(call("last_over_time", range(sel("c_total"), M)), q, 60 * S)).toEqual([
      [{ __name__: "c_total", i: "x" }, 5],
    ]);
  });
});

// Series come back in label order, as from a TSDB, and results keep that order.
describe("aggregations and binary operators", () => {
  const q = new MemoryQuerier([
    series({ __name__: "m", job: "a", i: "1" }, [1]),
    series({ __name__: "m", job: "a", i: "2" }, [3]),
    series({ __name__: "m", job: "b", i: "1" }, [10]),
    series({ __name__: "w", job: "a" }, [2]),
    series({ __name__: "w", job: "b" }, [5]),
  ]);

  it("groups by and without (without drops __name__)", () => {
    expect(vectorAt(agg("sum", sel("m"), ["job"]), q, 0)).toEqual([
      [{ job: "a" }, 4],
      [{ job: "b" }, 10],
    ]);
    expect(vectorAt(agg("max", sel("m"), ["i"], true), q, 0)).toEqual([
      [{ job: "a" }, 3],
      [{ job: "b" }, 10],
    ]);
    expect(vectorAt(agg("topk", sel("m"), [], false, num(1)), q, 0)).toEqual([
      [{ __name__: "m", job: "b", i: "1" }, 10],
    ]);
    expect(vectorAt(agg("count_values", sel("m"), [], false, str("v")), q, 0)).toEqual([
      [{ v: "1" }, 1],
      [{ v: "10" }, 1],
      [{ v: "3" }, 1],
    ]);
  });

  it("matches many-to-one with group_left and copies the named labels", () => {
    const e = bin("*", sel("m"), sel("w"), {
      card: "many-to-one",
      on: true,
      labels: ["job"],
      include: [],
    });
    expect(vectorAt(e, q, 0)).toEqual([
      [{ job: "a", i: "1" }, 2],
      [{ job: "b", i: "1" }, 50],
      [{ job: "a", i: "2" }, 6],
    ]);
  });

  it("refuses duplicate series on the one side as an execution error", () => {
    const e = bin("*", sel("w"), sel("m"), {
      card: "many-to-one",
      on: true,
      labels: ["job"],
      include: [],
    });
    expect(() => evaluateInstant(e, q, 0)).toThrow(
      expect.objectContaining({
        errorType: "execution",
        message: expect.stringContaining("many-to-many matching not allowed"),
      }),
    );
  });

  it("filters with comparisons (keeping __name__) and answers 0/1 with bool (dropping it)", () => {
    expect(vectorAt(bin(">", sel("m"), num(2)), q, 0)).toEqual([
      [{ __name__: "m", job: "b", i: "1" }, 10],
      [{ __name__: "m", job: "a", i: "2" }, 3],
    ]);
    expect(vectorAt(bin(">", num(2), sel("w"), undefined, true), q, 0)).toEqual([
      [{ job: "a" }, 0],
      [{ job: "b" }, 0],
    ]);
  });
});

describe("range queries", () => {
  const q = new MemoryQuerier([series({ __name__: "g" }, [1, 2, 3, 4, 5, 6, 7, 8])]);

  it("evaluates every step and sorts series by labels", () => {
    const r = evaluateRange(bin("*", sel("g"), num(2)), q, 0, 60 * S, 30 * S);
    expect(r.series).toEqual([{ labels: {}, t: [0, 30 * S, 60 * S], v: [2, 6, 10] }]);
  });

  it("refuses more than 11,000 points per series before reading anything", () => {
    const tenYears = 10 * 365 * 86_400 * S;
    const refusing: MemoryQuerier = Object.assign(Object.create(MemoryQuerier.prototype), {
      select: () => {
        throw new Error("must not be read");
      },
    });
    let err: unknown;
    try {
      evaluateRange(sel("g"), refusing, 0, tenYears, S);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromQLEvalError);
    expect((err as PromQLEvalError).errorType).toBe("bad_data");
    expect((err as PromQLEvalError).message).toBe(
      "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
    );
  });

  it("stops at maxSamples with Prometheus's execution error", () => {
    expect(() => evaluateRange(sel("g"), q, 0, 100 * S, S, { maxSamples: 50 })).toThrow(
      "query processing would load too many samples into memory in query execution",
    );
  });

  it("stops at the deadline with a timeout", () => {
    expect(() =>
      evaluateRange(sel("g"), q, 0, 10_000 * S, S, { deadline: Date.now() - 1 }),
    ).toThrow(expect.objectContaining({ errorType: "timeout" }));
  });
});

it("implements every function the parser accepts, and no other", () => {
  expect([...SUPPORTED_FUNCTIONS].sort()).toEqual([...FUNCTIONS.keys()].sort());
});

it("lists the functions it implements", () => {
  for (const f of [
    "rate",
    "histogram_quantile",
    "label_replace",
    "holt_winters",
    "day_of_year",
    "atanh",
  ]) {
    expect(SUPPORTED_FUNCTIONS.has(f)).toBe(true);
  }
  expect(SUPPORTED_FUNCTIONS.has("nonexistent")).toBe(false);
});
