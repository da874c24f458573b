import { describe, expect, it } from "vitest";
import { mulberry32, normalDeviates } from "@/lib/seeded-random";
import {
  anomalyProblem,
  describeAnomaly,
  detectAnomalies,
  historyWindows,
  WEEK_MS,
  type AnomalyParams,
  type BandPoint,
  type Point,
} from "./anomaly";

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC

function series(from: number, to: number, stepMs: number, f: (t: number) => number): Point[] {
  const out: Point[] = [];
  for (let t = from; t <= to; t += stepMs) out.push({ t, v: f(t) });
  return out;
}

function noise(seed: number, sigma: number): () => number {
  const gauss = normalDeviates(mulberry32(seed));
  return () => sigma * gauss();
}

/** The episodes of a detector's answer: [first firing step, first step no longer firing | null]. */
function episodes(band: BandPoint[]): [number, number | null][] {
  const out: [number, number | null][] = [];
  let open: number | null = null;
  for (const p of band) {
    if (p.firing && open === null) open = p.t;
    if (!p.firing && open !== null) {
      out.push([open, p.t]);
      open = null;
    }
  }
  if (open !== null) out.push([open, null]);
  return out;
}

const rolling: AnomalyParams = {
  method: "mad",
  trainingMs: 60 * MIN,
  seasonalWeeks: null,
  deviations: 3,
  minChange: 1,
  points: 3,
  of: 5,
  recoveryMs: 5 * MIN,
  stepMs: MIN,
};

describe("detectAnomalies", () => {
  it("fires on a step up at its third anomalous step, and the new level becomes normal", () => {
    const n = noise(1, 1);
    const stepAt = T0 + 180 * MIN;
    const pts = series(T0, T0 + 360 * MIN, MIN, (t) => (t < stepAt ? 100 : 150) + n());
    const band = detectAnomalies(pts, rolling, { from: T0 + 120 * MIN, to: T0 + 360 * MIN });
    const eps = episodes(band);
    expect(eps).toHaveLength(1);
    // 3 of 5: the step's first, second and third points are anomalous; it fires at the third.
    expect(eps[0]![0]).toBe(stepAt + 2 * MIN);
    // It resolves once the window has absorbed the new level (its median moved there):
    // after about half the 60-step window plus the 5-step judging window, and the recovery.
    const resolved = eps[0]![1]!;
    expect(resolved).toBeGreaterThanOrEqual(stepAt + (29 + 4) * MIN);
    expect(resolved).toBeLessThanOrEqual(stepAt + (29 + 4 + 5 + 2) * MIN);
    expect(band.at(-1)!.expected).toBeGreaterThan(145);
  });

  it("fires and resolves a step that comes back, at the step and after the recovery", () => {
    const stepAt = T0 + 180 * MIN;
    const pts = series(T0, T0 + 300 * MIN, MIN, (t) =>
      t >= stepAt && t < stepAt + 10 * MIN ? 150 : 100 + ((t / MIN) % 3) * 0.5,
    );
    const band = detectAnomalies(pts, rolling, { from: T0 + 120 * MIN, to: T0 + 300 * MIN });
    // Last anomalous step: stepAt + 9 min; resolves max(5 recovery steps, of − points + 1 = 3) later.
    expect(episodes(band)).toEqual([[stepAt + 2 * MIN, stepAt + 9 * MIN + 5 * MIN]]);
  });

  it("does not fire on a single spike when 3 of 5 are needed, and fires when 1 of 1 is", () => {
    const n = noise(2, 1);
    const spikeAt = T0 + 200 * MIN;
    const pts = series(T0, T0 + 300 * MIN, MIN, (t) => (t === spikeAt ? 200 : 100 + n()));
    const range = { from: T0 + 120 * MIN, to: T0 + 300 * MIN };
    // minChange 5: noise of σ 1 beyond 3 MAD-σ is an anomaly by the band alone.
    const strict = detectAnomalies(pts, { ...rolling, minChange: 5 }, range);
    expect(strict.filter((p) => p.anomalous).map((p) => p.t)).toEqual([spikeAt]);
    expect(episodes(strict)).toEqual([]);
    const eager = detectAnomalies(
      pts,
      { ...rolling, minChange: 5, points: 1, of: 1, recoveryMs: 3 * MIN },
      range,
    );
    expect(episodes(eager)).toEqual([[spikeAt, spikeAt + 3 * MIN]]);
  });

  it("never fires on a flat line with small noise, thanks to minChange", () => {
    const n = noise(3, 0.01);
    const pts = series(T0, T0 + 600 * MIN, MIN, () => 100 + n());
    for (const method of ["mad", "ewma"] as const) {
      const band = detectAnomalies(
        pts,
        { ...rolling, method },
        { from: T0 + 60 * MIN, to: T0 + 600 * MIN },
      );
      expect(band.some((p) => p.anomalous)).toBe(false);
      // The band is at least minChange wide on each side.
      expect(band.at(-1)!.upper! - band.at(-1)!.expected!).toBeGreaterThanOrEqual(1);
    }
  });

  it("does not fire on a slow drift the window follows", () => {
    const n = noise(4, 1);
    // 0.02 a minute: 12 over 10 h, while the band is ± about 3.
    const pts = series(T0, T0 + 600 * MIN, MIN, (t) => 100 + 0.02 * ((t - T0) / MIN) + n());
    const band = detectAnomalies(pts, rolling, { from: T0 + 60 * MIN, to: T0 + 600 * MIN });
    expect(episodes(band)).toEqual([]);
  });

  it("learns a daily and weekly pattern from the same time of week, and fires on a spike on top", () => {
    const step = 5 * MIN;
    const n = noise(5, 1);
    const spikeAt = T0 + 4 * WEEK_MS + 2 * DAY + 14 * 3_600_000;
    const shapeOf = (t: number) => {
      const day = Math.sin((2 * Math.PI * ((t - T0) % DAY)) / DAY);
      const weekend = (t - T0) % WEEK_MS >= 5 * DAY ? -40 : 0;
      return 200 + 80 * day + weekend;
    };
    const pts = series(
      T0,
      T0 + 5 * WEEK_MS,
      step,
      (t) => shapeOf(t) + n() + (t >= spikeAt && t < spikeAt + 4 * step ? 100 : 0),
    );
    const seasonal: AnomalyParams = {
      ...rolling,
      stepMs: step,
      trainingMs: 6 * 3_600_000,
      seasonalWeeks: 4,
      deviations: 4,
      minChange: 10,
      points: 3,
      of: 4,
      recoveryMs: 15 * MIN,
    };
    const range = { from: T0 + 4 * WEEK_MS, to: T0 + 5 * WEEK_MS };
    const band = detectAnomalies(pts, seasonal, range);
    expect(band.every((p) => p.basis === "seasonal")).toBe(true);
    // The pattern alone never fires; the spike (4 steps of +100) fires at its third step.
    const eps = episodes(band);
    expect(eps).toHaveLength(1);
    expect(eps[0]![0]).toBe(spikeAt + 2 * step);
    // The same series without the spike: nothing anomalous over the whole week.
    const calm = detectAnomalies(
      series(T0, T0 + 5 * WEEK_MS, step, (t) => shapeOf(t) + n()),
      seasonal,
      range,
    );
    expect(calm.some((p) => p.firing)).toBe(false);
  });

  it("answers missing steps, empty input and too little training without anomalies", () => {
    const range = { from: T0 + 120 * MIN, to: T0 + 130 * MIN };
    const empty = detectAnomalies([], rolling, range);
    expect(empty).toHaveLength(11);
    expect(empty.every((p) => p.v === null && !p.anomalous && p.expected === null)).toBe(true);
    const few = series(T0 + 115 * MIN, T0 + 130 * MIN, MIN, () => 100);
    const band = detectAnomalies(few, rolling, range);
    expect(band.every((p) => p.basis === "insufficient" && !p.anomalous)).toBe(true);
    const withNaN = series(T0, T0 + 130 * MIN, MIN, (t) => (t === T0 + 125 * MIN ? NaN : 100));
    const gap = detectAnomalies(withNaN, rolling, range).find((p) => p.t === T0 + 125 * MIN)!;
    expect(gap).toMatchObject({ v: null, anomalous: false });
  });

  it("gives the same answer at a step whatever the range starts at", () => {
    const n = noise(6, 1);
    const pts = series(T0, T0 + 400 * MIN, MIN, (t) => (t > T0 + 300 * MIN ? 130 : 100) + n());
    const late = detectAnomalies(pts, rolling, { from: T0 + 290 * MIN, to: T0 + 320 * MIN });
    const early = detectAnomalies(pts, rolling, { from: T0 + 100 * MIN, to: T0 + 320 * MIN });
    expect(early.slice(-late.length)).toEqual(late);
  });
});

describe("anomalyProblem, historyWindows, describeAnomaly", () => {
  it("refuses parameters it cannot evaluate, with the reason", () => {
    expect(anomalyProblem(rolling)).toBeNull();
    expect(anomalyProblem({ ...rolling, points: 6 })).toMatch(/points/);
    expect(anomalyProblem({ ...rolling, trainingMs: 5 * MIN })).toMatch(/training/);
    expect(anomalyProblem({ ...rolling, seasonalWeeks: 2 })).toMatch(/seasonalWeeks/);
    expect(anomalyProblem({ ...rolling, deviations: 0 })).toMatch(/deviations/);
    expect(anomalyProblem({ ...rolling, stepMs: 1, trainingMs: 1e9 })).toMatch(/steps/);
    expect(detectAnomalies([], { ...rolling, points: 9 }, { from: 0, to: MIN })).toEqual([]);
  });

  it("names the history a live evaluation needs", () => {
    const t = T0 + 10 * WEEK_MS;
    const w = historyWindows(rolling, t)[0]!;
    expect(w.end).toBe(t);
    expect(w.start).toBeLessThanOrEqual(t - rolling.trainingMs - 4 * MIN);
    const seasonal = historyWindows({ ...rolling, seasonalWeeks: 3 }, t);
    expect(seasonal.some((x) => x.start <= t - 3 * WEEK_MS && x.end >= t - 3 * WEEK_MS)).toBe(true);
  });

  it("describes the method in one line", () => {
    const text = describeAnomaly(rolling);
    expect(text).toMatch(/MAD/);
    expect(text).toMatch(/3 of the last 5/);
  });
});
