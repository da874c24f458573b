import { describe, expect, it } from "vitest";
import type { AggregateOp } from "./ast";
import { aggregate, AggregateCache, aggregateSteps, RUNNING_OPS } from "./eval-aggregate";
import { labelsKey } from "./eval-labels";
import type { Matrix, StepSeries, Vector } from "./eval-types";
import { mulberry32 } from "../seeded-random";

const STEPS = Array.from({ length: 40 }, (_, k) => 1_700_000_000_000 + k * 60_000);
const VALUES = [0, -0, 1, -1, 0.1, 1e300, -1e-300, NaN, Infinity, -Infinity, 7.5];

/** Series with labels from a few values (some missing, some empty), points at some steps. */
function randomMatrix(seed: number): Matrix {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: Matrix = [];
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const labels: Record<string, string> = { __name__: pick(["a", "b"]), id: String(i) };
    const job = pick(["api", "web", "", undefined]);
    if (job !== undefined) labels.job = job;
    const le = pick(["0.1", "1", "+Inf", undefined]);
    if (le !== undefined) labels.le = le;
    if (seen.has(labelsKey(labels))) continue;
    seen.add(labelsKey(labels));
    const s: StepSeries = { labels, t: [], v: [] };
    const density = rand();
    for (const ts of STEPS) {
      if (rand() > density) continue;
      s.t.push(ts);
      s.v.push(rand() < 0.3 ? pick(VALUES) : Math.round((rand() - 0.4) * 1e6) / 100);
    }
    out.push(s);
  }
  return out;
}

/** The straightforward way: each step's vector through `aggregate`, collected into series. */
function stepByStep(
  op: AggregateOp,
  grouping: string[],
  without: boolean,
  input: Matrix,
): { matrix: Matrix; samples: number[] } {
  const cache = new AggregateCache();
  const byKey = new Map<string, StepSeries>();
  const samples: number[] = [];
  for (const ts of STEPS) {
    const vec: Vector = [];
    for (const s of input) {
      const j = s.t.indexOf(ts);
      if (j >= 0) vec.push({ labels: s.labels, v: s.v[j]!, t: ts });
    }
    const result = aggregate(op, grouping, without, undefined, vec, cache);
    for (const r of result) {
      const k = labelsKey(r.labels);
      if (!byKey.has(k)) byKey.set(k, { labels: r.labels, t: [], v: [] });
      byKey.get(k)!.t.push(ts);
      byKey.get(k)!.v.push(r.v);
    }
    samples.push(result.length);
  }
  return { matrix: [...byKey.values()], samples };
}

describe("aggregateSteps (a whole matrix at once)", () => {
  it("answers every running aggregation exactly as aggregating step by step, in the same order", () => {
    const groupings: [string[], boolean][] = [
      [[], false],
      [["le"], false],
      [["job", "le"], false],
      [["id"], true],
      [["le"], true],
      [[], true],
    ];
    let compared = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const input = randomMatrix(seed);
      for (const op of RUNNING_OPS)
        for (const [grouping, without] of groupings) {
          const samples: number[] = [];
          const got = aggregateSteps(op, grouping, without, input, STEPS, (n) => samples.push(n));
          const want = stepByStep(op, grouping, without, input);
          // toEqual tells -0 from 0 and takes NaN as equal to NaN: bit for bit but NaN's payload.
          expect(got).toEqual(want.matrix);
          expect(samples).toEqual(want.samples);
          compared += want.matrix.length;
        }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("sums in the input's order, so the rounding is Prometheus's", () => {
    const input: Matrix = [
      { labels: { x: "1" }, t: [STEPS[0]!], v: [1e16] },
      { labels: { x: "2" }, t: [STEPS[0]!], v: [1] },
      { labels: { x: "3" }, t: [STEPS[0]!], v: [-1e16] },
    ];
    const got = aggregateSteps("sum", [], false, input, STEPS.slice(0, 1), () => {});
    expect(got).toEqual([{ labels: {}, t: [STEPS[0]], v: [0] }]);
  });
});
