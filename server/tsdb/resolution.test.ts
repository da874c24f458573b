import { describe, expect, it } from "vitest";
import { STALE_NAN } from "@/lib/metrics/stale";
import { evaluateRange } from "@/lib/promql/eval";
import { MemoryQuerier } from "@/lib/promql/memory-querier";
import { parseExpr } from "@/lib/promql/parse";
import { mulberry32 } from "@/lib/seeded-random";
import type { MetricsDb } from "./db";
import { toRecord } from "./labels";
import { rangeQuery } from "./prom-api";
import { TsdbQuerier } from "./querier";
import { chooseResolution, FULL_COVERAGE, type Coverage } from "./resolution";
import { FIVE_MINUTES, HOUR, Meta, META, Rollup, ROLLUP_GRACE_MS } from "./rollup";
import {
  FIXTURE_T0,
  fixtureHistory,
  freshDb,
  SCRAPE_MS,
  writeHistory,
  type FixtureSeries,
} from "./rollup-fixtures";

const T0 = FIXTURE_T0;
const END = T0 + 48 * HOUR;
const SCRAPES = (END - T0) / SCRAPE_MS;
const RESET_AT = T0 + 25 * HOUR + 7 * 60_000 + 30_000;
const SECOND_RESET_AT = T0 + 40 * HOUR + 20 * 60_000;
const GONE_AT = T0 + 30 * HOUR + 2 * 60_000 + 30_000;

function counter(name: string, inc: (i: number) => number, resets: number[] = []): FixtureSeries {
  const t = new Float64Array(SCRAPES);
  const v = new Float64Array(SCRAPES);
  let x = 1e6;
  for (let i = 0; i < SCRAPES; i++) {
    t[i] = T0 + i * SCRAPE_MS;
    // A restart as a counter has it: from zero, with one scrape's increase already.
    x = resets.includes(t[i]!) ? inc(i) : x + inc(i);
    v[i] = x;
  }
  return { labels: [["__name__", name]], t, v };
}

function gauges(): FixtureSeries[] {
  const t = new Float64Array(SCRAPES);
  const temp = new Float64Array(SCRAPES);
  for (let i = 0; i < SCRAPES; i++) {
    t[i] = T0 + i * SCRAPE_MS;
    temp[i] = 20 + 5 * Math.sin(i / 40) + (i % 7) / 10;
  }
  const n = (GONE_AT - T0) / SCRAPE_MS + 1;
  const gone = { t: t.slice(0, n), v: temp.slice(0, n) };
  gone.v[n - 1] = STALE_NAN;
  return [
    { labels: [["__name__", "temp"]], t, v: temp },
    { labels: [["__name__", "gone"]], ...gone },
  ];
}

const rand = mulberry32(3);
const SERIES: FixtureSeries[] = [
  counter("steady_total", () => 10),
  counter("jitter_total", () => 8 + Math.floor(rand() * 5)),
  counter("reset_total", () => 10, [RESET_AT, SECOND_RESET_AT]),
  ...gauges(),
];

function store(rollUpTo = END + ROLLUP_GRACE_MS + FIVE_MINUTES): { db: MetricsDb; q: TsdbQuerier } {
  const db = freshDb();
  writeHistory(db, SERIES);
  new Rollup(db).runNow(rollUpTo);
  return { db, q: new TsdbQuerier(db) };
}

type Answer = { resolution: string; points: Map<number, number> };

/** /api/v1/query_range's answer over `q`. */
function askRange(q: TsdbQuerier, query: string, start: number, end: number, step: number) {
  const params = new URLSearchParams({
    query,
    start: String(start / 1000),
    end: String(end / 1000),
    step: String(step / 1000),
  });
  return rangeQuery(params, q);
}

function ask(q: TsdbQuerier, query: string, start: number, end: number, step: number): Answer {
  const { data, timing } = askRange(q, query, start, end, step);
  expect(data.result.length).toBeLessThanOrEqual(1);
  const values = (data.result[0]?.values ?? []) as [number, string][];
  return {
    resolution: timing.resolution,
    points: new Map(values.map(([t, v]) => [t * 1000, Number(v)])),
  };
}

/** The same query over the raw samples, by the evaluator over memory. */
function raw(query: string, start: number, end: number, step: number): Map<number, number> {
  const memory = new MemoryQuerier(SERIES.map((s) => ({ ...s, labels: toRecord(s.labels) })));
  const r = evaluateRange(parseExpr(query), memory, start, end, step);
  return new Map(r.series[0]!.t.map((t, i) => [t, r.series[0]!.v[i]!]));
}

function relativeErrors(a: Map<number, number>, b: Map<number, number>): number[] {
  expect([...a.keys()]).toEqual([...b.keys()]);
  return [...a].map(([t, x]) => Math.abs(x - b.get(t)!) / Math.abs(b.get(t)!));
}

describe("which resolution a selector reads", () => {
  const h = (step: number, range: number, func?: string, start = T0) => ({
    start,
    end: start + HOUR,
    step,
    range,
    func,
  });
  const gone: Coverage = { raw: T0 + HOUR, "5m": T0 + HOUR, "1h": -Infinity };

  it("reads raw samples below a 5-minute step, and rollups from there as the window allows", () => {
    expect(chooseResolution(h(0, 0), FULL_COVERAGE)).toBe("raw");
    expect(chooseResolution(h(60_000, 5 * 60_000, "rate"), FULL_COVERAGE)).toBe("raw");
    expect(chooseResolution(h(299_999, 0), FULL_COVERAGE)).toBe("raw");
    expect(chooseResolution(h(FIVE_MINUTES, 0), FULL_COVERAGE)).toBe("5m");
    // An instant selector's 5-minute lookback would miss most hourly points.
    expect(chooseResolution(h(HOUR, 0, "abs"), FULL_COVERAGE)).toBe("5m");
    // rate() needs two points a window: at most half the window apart.
    expect(chooseResolution(h(HOUR, HOUR, "rate"), FULL_COVERAGE)).toBe("5m");
    expect(chooseResolution(h(HOUR, 2 * HOUR, "rate"), FULL_COVERAGE)).toBe("1h");
    expect(chooseResolution(h(HOUR, 9 * 60_000, "increase"), FULL_COVERAGE)).toBe("raw");
    expect(chooseResolution(h(HOUR, HOUR, "max_over_time"), FULL_COVERAGE)).toBe("1h");
    expect(chooseResolution(h(HOUR, 30 * 60_000, "max_over_time"), FULL_COVERAGE)).toBe("5m");
  });

  it("reads a coarser resolution where retention has deleted the finer one", () => {
    expect(chooseResolution(h(60_000, 0), gone)).toBe("1h");
    expect(chooseResolution(h(60_000, 0, undefined, T0 + HOUR), gone)).toBe("raw");
    expect(chooseResolution(h(60_000, 0), { ...gone, "5m": -Infinity })).toBe("5m");
  });
});

describe("queries over rollups", () => {
  const hourly = [T0 + 2 * HOUR, END, HOUR] as const;

  it("leave every answer at a step under 5 minutes as it was, bit for bit", () => {
    const db = freshDb();
    writeHistory(db, [...SERIES, ...fixtureHistory(5, 6, 48)]);
    const q = new TsdbQuerier(db);
    const queries = [
      "rate(requests_total[5m])",
      "queue_depth",
      "max_over_time(queue_depth[10m])",
      "increase(reset_total[1h])",
      "gone",
      "avg_over_time(temp[30m])",
    ];
    const ranges: [number, number, number][] = [
      [T0 + 20 * HOUR, T0 + 26 * HOUR, 60_000],
      [T0 + 29 * HOUR + 7_000, T0 + 31 * HOUR, 299_000],
    ];
    const answer = () =>
      queries.flatMap((query) =>
        ranges.map((range) => {
          const { data, timing } = askRange(q, query, ...range);
          return { data, resolution: timing.resolution };
        }),
      );
    const before = answer();
    new Rollup(db).runNow(END + HOUR);
    expect(db.prepare("SELECT count(*) AS n FROM rollups").get()).not.toEqual({ n: 0 });
    const after = answer();
    expect(after).toEqual(before);
    expect(after.every((a) => a.resolution === "raw")).toBe(true);
  });

  it("give rate(x[1h]) at a 1-hour step over 5-minute points the raw answer for a steady counter", () => {
    const { q } = store();
    const got = ask(q, "rate(steady_total[1h])", ...hourly);
    expect(got.resolution).toBe("5m");
    // Both read the same straight line: the slope, to rounding.
    for (const e of relativeErrors(got.points, raw("rate(steady_total[1h])", ...hourly)))
      expect(e).toBeLessThan(1e-12);
    expect([...got.points.values()].every((r) => Math.abs(r - 10 / 15) < 1e-12)).toBe(true);
  });

  it("keep rate(x[1h]) within (max - min) / (12 · min) of the raw answer when increments vary", () => {
    const { q } = store();
    const got = ask(q, "rate(jitter_total[1h])", ...hourly);
    expect(got.resolution).toBe("5m");
    // The rollup sees the increase over the 220 scrape intervals between its first and
    // last points of the window (55 minutes) and extrapolates to the hour; raw sees all
    // 240. Their means differ by (mean of 220 - mean of the other 20) / 12, at most
    // (12 - 8) / 12 in a mean of at least 8.
    const errors = relativeErrors(got.points, raw("rate(jitter_total[1h])", ...hourly));
    expect(Math.max(...errors)).toBeLessThanOrEqual(4 / (12 * 8));
    expect(Math.max(...errors)).toBeGreaterThan(0);
  });

  it("count a reset in increase() over rollups as the raw answer does", () => {
    const { q } = store();
    const query = "increase(reset_total[1h])";
    const got = ask(q, query, ...hourly);
    const want = raw(query, ...hourly);
    for (const e of relativeErrors(got.points, want)) expect(e).toBeLessThan(1e-9);
    // Across the reset the increase is still an hour's: 240 scrapes of 10.
    expect(got.points.get(T0 + 26 * HOUR)).toBeCloseTo(2400, 6);
  });

  it("read hourly points for a long window at a long step, and raw samples the rollup has not reached", () => {
    // Rolled up to 31 h only: the last 17 hours come from raw samples, the second reset
    // among them, and a window at 33 h holds stored points and raw ones.
    const { q } = store(T0 + 31 * HOUR + ROLLUP_GRACE_MS);
    // Steps on the hour, and 20 minutes past it: the last window then ends inside an hour
    // under way, whose point is its latest sample.
    for (const start of [T0 + 3 * HOUR, T0 + 3 * HOUR + 20 * 60_000])
      for (const query of ["rate(steady_total[3h])", "increase(reset_total[3h])"]) {
        const range = [start, start + 44 * HOUR, 3 * HOUR] as const;
        const got = ask(q, query, ...range);
        expect(got.resolution).toBe("1h");
        for (const e of relativeErrors(got.points, raw(query, ...range)))
          expect(e).toBeLessThan(1e-9);
      }
  });

  it("read each function's field: min, max, sum and mean of the buckets, and one point per bucket", () => {
    const { q } = store();
    const series = SERIES.find((s) => s.labels[0]![1] === "temp")!;
    // The window [t - 1h, t] holds the points of the 12 buckets of [t - 1h, t).
    const inHour = (t: number) =>
      Array.from(series.v).filter((_, i) => series.t[i]! >= t - HOUR && series.t[i]! < t);
    const cases: [string, (xs: number[]) => number][] = [
      ["min_over_time", (xs) => Math.min(...xs)],
      ["max_over_time", (xs) => Math.max(...xs)],
      ["sum_over_time", (xs) => xs.reduce((a, b) => a + b, 0)],
      // Every bucket has 20 samples, so the mean of the means is the mean.
      ["avg_over_time", (xs) => xs.reduce((a, b) => a + b, 0) / xs.length],
      // count_over_time counts points: one an hour here (see ADR 19).
      ["count_over_time", () => 1],
    ];
    for (const [func, f] of cases) {
      const got = ask(q, `${func}(temp[1h])`, ...hourly);
      expect(got.resolution).toBe("1h");
      for (const [t, v] of got.points) expect(v).toBeCloseTo(f(inHour(t)), 9);
    }
  });

  it("stop showing a series where it went stale, as raw samples do", () => {
    const { q } = store();
    const range = [T0 + 29 * HOUR, T0 + 31 * HOUR, FIVE_MINUTES] as const;
    const got = ask(q, "gone", ...range);
    expect(got.resolution).toBe("5m");
    const times = [...got.points.keys()];
    expect(Math.max(...times)).toBeLessThan(GONE_AT);
    expect(times).toEqual([...raw("gone", ...range).keys()]);
  });

  it("read hourly points where 5-minute ones are gone, an instant selector finding one at every step", () => {
    const { db, q } = store();
    const meta = new Meta(db);
    meta.set(META.from("raw"), END);
    meta.set(META.from("5m"), END);
    const got = ask(q, "temp", T0 + 10 * HOUR + 7_000, T0 + 14 * HOUR, 10 * 60_000);
    expect(got.resolution).toBe("1h");
    // 24 steps of 10 minutes, each with the value of the last hourly point before it.
    expect(got.points.size).toBe(24);
    const hourPoint = (t: number) => {
      const s = SERIES.find((x) => x.labels[0]![1] === "temp")!;
      const last = Math.floor(t / HOUR) * HOUR - SCRAPE_MS;
      return s.v[(last - T0) / SCRAPE_MS]!;
    };
    for (const [t, v] of got.points) expect(v).toBe(hourPoint(t));
  });
});
