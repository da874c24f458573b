import { describe, expect, it } from "vitest";
import { evaluateInstant, evaluateRange } from "./eval";
import { bucketQuantile, RANGE_FUNCTIONS } from "./eval-functions";
import { MemoryQuerier } from "./memory-querier";
import { parseExpr } from "./parse";
import type { Labels, SeriesData } from "./storage";
import { isStaleNaN, STALE_NAN } from "../metrics/stale";
import { mulberry32 } from "../seeded-random";

const b = (upper: number, count: number) => ({ upper, count });

describe("bucketQuantile (classic histograms)", () => {
  it("interpolates linearly inside the bucket that holds the rank", () => {
    // 100 observations: 50 up to 1, 90 up to 2, all up to +Inf. The median is the end
    // of the first bucket; the 0.7 rank is half-way through the second.
    const buckets = [b(1, 50), b(2, 90), b(Infinity, 100)];
    expect(bucketQuantile(0.5, buckets)).toBe(1);
    expect(bucketQuantile(0.7, buckets)).toBe(1.5);
    // A rank in the +Inf bucket answers the largest finite bound.
    expect(bucketQuantile(0.95, buckets)).toBe(2);
  });

  it("answers NaN without a +Inf bucket or without observations, ±Inf outside [0, 1]", () => {
    expect(bucketQuantile(0.5, [b(1, 5), b(2, 10)])).toBeNaN();
    expect(bucketQuantile(0.5, [b(1, 0), b(Infinity, 0)])).toBeNaN();
    expect(bucketQuantile(-0.1, [b(1, 5), b(Infinity, 10)])).toBe(-Infinity);
    expect(bucketQuantile(1.1, [b(1, 5), b(Infinity, 10)])).toBe(Infinity);
  });

  it("makes counts monotonic and merges equal bounds before ranking", () => {
    // 2's count dipped below 1's (buckets scraped at slightly different moments): it is
    // raised to 60, so the 0.5 rank (50 of 100) falls in the first bucket.
    expect(bucketQuantile(0.5, [b(2, 40), b(1, 60), b(Infinity, 100)])).toBeCloseTo(
      0.8333333333333334,
      15,
    );
    expect(bucketQuantile(0.5, [b(1, 30), b(1, 30), b(Infinity, 100)])).toBeCloseTo(
      0.8333333333333334,
      15,
    );
  });

  it("answers the first bound when the rank is in a first bucket at or below zero", () => {
    expect(bucketQuantile(0.1, [b(-1, 20), b(0, 50), b(Infinity, 100)])).toBe(-1);
  });

  it("answers buckets in any order, repeated bounds and NaN bounds as they do sorted by bound first", () => {
    const rand = mulberry32(9);
    const bounds = [-1, 0, 0.1, 0.5, 1, 2.5, 10, Infinity, NaN];
    for (let i = 0; i < 2000; i++) {
      const buckets = Array.from({ length: 1 + Math.floor(rand() * 8) }, () =>
        b(bounds[Math.floor(rand() * bounds.length)]!, Math.floor(rand() * 50)),
      );
      if (rand() < 0.5) buckets.sort((x, y) => x.upper - y.upper);
      const before = JSON.stringify(buckets);
      const q = [0, 0.5, 0.95, 1][i % 4]!;
      // Sorting first (stable, NaN bounds where the comparison leaves them) must change nothing.
      const sorted = [...buckets].sort((x, y) => x.upper - y.upper);
      expect(bucketQuantile(q, buckets)).toBe(bucketQuantile(q, sorted));
      expect(JSON.stringify(buckets)).toBe(before);
    }
  });
});

describe("label_replace and label_join", () => {
  const q = new MemoryQuerier([
    { labels: { __name__: "up", instance: "web-01:9100", job: "node" }, t: [0], v: [1] },
  ]);
  const labelsOf = (query: string): Labels[] => {
    const r = evaluateInstant(parseExpr(query), q, 0);
    if (r.type !== "vector") throw new Error(r.type);
    return r.samples.map((s) => s.labels);
  };

  it("expands $n, ${n} and named groups as Go's regexp does", () => {
    expect(
      labelsOf('label_replace(up, "host", "$1/${2}x", "instance", "(.*)-(.*):.*")')[0]!.host,
    ).toBe("web/01x");
    // "$2x" names a group "2x" that does not exist: it expands to nothing.
    expect(
      labelsOf('label_replace(up, "host", "<$2x>", "instance", "(.*)-(.*):.*")')[0]!.host,
    ).toBe("<>");
    expect(
      labelsOf('label_replace(up, "host", "$$${h}", "instance", "(?P<h>[a-z]+).*")')[0]!.host,
    ).toBe("$web");
  });

  it("leaves the series alone when the whole value does not match, and removes a label set to empty", () => {
    expect(labelsOf('label_replace(up, "host", "x", "instance", "web")')).toEqual([
      { __name__: "up", instance: "web-01:9100", job: "node" },
    ]);
    expect(labelsOf('label_replace(up, "job", "", "job", ".*")')).toEqual([
      { __name__: "up", instance: "web-01:9100" },
    ]);
  });

  it("joins the source labels with the separator, missing ones as empty", () => {
    expect(labelsOf('label_join(up, "id", "|", "job", "missing", "instance")')[0]!.id).toBe(
      "node||web-01:9100",
    );
  });
});

describe("range functions over a sliding window", () => {
  const S = 1000;
  const T = 1_700_000_000_000;

  /** Irregular samples with gaps, late starts, early ends, NaNs and staleness markers. */
  function randomSeries(seed: number): SeriesData[] {
    const rand = mulberry32(seed);
    return Array.from({ length: 6 }, (_, i) => {
      const t: number[] = [];
      const v: number[] = [];
      let at = T + Math.floor(rand() * 4 * 3600) * S * (i % 3);
      const stop = T + (6 - Math.floor(rand() * 3 * (i % 2))) * 3600 * S;
      let x = rand() * 100;
      while (at < stop) {
        if (rand() < 0.01) at += Math.floor(rand() * 3600) * S;
        t.push(at);
        const r = rand();
        v.push(
          r < 0.02 ? STALE_NAN : r < 0.04 ? NaN : r < 0.06 ? (x = rand() * 5) : (x += rand() * 10),
        );
        at += (5 + Math.floor(rand() * 40)) * S;
      }
      return {
        labels: { __name__: "x", i: String(i) },
        t: Float64Array.from(t),
        v: Float64Array.from(v),
      };
    });
  }

  /** Each step's window found by a scan of every sample, and the function over a copy of it. */
  function rescan(
    data: SeriesData[],
    func: string,
    scalars: number[],
    rangeMs: number,
    offsetMs: number,
    start: number,
    end: number,
    step: number,
  ) {
    const { fn } = RANGE_FUNCTIONS[func]!;
    return data.flatMap((s) => {
      const out = { t: [] as number[], v: [] as number[] };
      for (let ts = start; ts <= end; ts += step) {
        const maxt = ts - offsetMs;
        const mint = maxt - rangeMs;
        const idx: number[] = [];
        for (let i = 0; i < s.t.length; i++)
          if (s.t[i]! >= mint && s.t[i]! <= maxt && !isStaleNaN(s.v[i]!)) idx.push(i);
        if (idx.length === 0) continue;
        const wt = Float64Array.from(idx, (i) => s.t[i]!);
        const wv = Float64Array.from(idx, (i) => s.v[i]!);
        const ctx = { ts, rangeStart: mint, rangeEnd: maxt, rangeMs, scalars };
        const value = fn(wt, wv, 0, idx.length, ctx);
        if (value === undefined) continue;
        out.t.push(ts);
        out.v.push(value);
      }
      if (out.t.length === 0) return [];
      const { __name__: _, ...labels } = s.labels;
      return [{ labels: func === "last_over_time" ? s.labels : labels, ...out }];
    });
  }

  const calls: [string, string, number[]][] = [
    ...[
      "rate", "increase", "delta", "irate", "idelta", "deriv", "avg_over_time", "sum_over_time",
      "count_over_time", "last_over_time", "present_over_time", "max_over_time", "min_over_time",
      "stddev_over_time", "stdvar_over_time", "resets", "changes",
    ].map((f): [string, string, number[]] => [f, `${f}(SEL)`, []]),
    ["predict_linear", "predict_linear(SEL, 600)", [NaN, 600]],
    ["holt_winters", "holt_winters(SEL, 0.5, 0.3)", [NaN, 0.5, 0.3]],
    ["quantile_over_time", "quantile_over_time(0.9, SEL)", [0.9, NaN]],
  ]; // prettier-ignore

  it("answer as a rescan of every sample at every step, over gaps, late starts and offsets", () => {
    let points = 0;
    // [range, offset, step, end] in seconds.
    const windows: [number, number, number, number][] = [
      [10 * 60, 0, 60, 7 * 3600],
      [3 * 3600, 0, 2 * 3600, 7 * 3600],
      [5 * 60, 15 * 60, 7 * 60 + 3, 7 * 3600],
      [30, 0, 17, 3600],
    ];
    for (let seed = 1; seed <= 3; seed++) {
      const data = randomSeries(seed);
      const q = new MemoryQuerier(data);
      for (const [func, template, scalars] of calls)
        for (const [range, offset, step, until] of windows) {
          const start = T + 1800 * S;
          const end = T + until * S;
          const sel = `x[${range}s]${offset ? ` offset ${offset}s` : ""}`;
          const got = evaluateRange(
            parseExpr(template.replace("SEL", sel)),
            q,
            start,
            end,
            step * S,
          );
          const want = rescan(data, func, scalars, range * S, offset * S, start, end, step * S);
          want.sort((a, b) => Number(a.labels.i) - Number(b.labels.i));
          got.series.sort((a, b) => Number(a.labels.i) - Number(b.labels.i));
          expect(got.series).toEqual(want);
          points += want.reduce((n, s) => n + s.t.length, 0);
        }
    }
    expect(points).toBeGreaterThan(20_000);
  });
});
