import { describe, expect, it } from "vitest";
import type { DecodedChunk } from "@/lib/metrics/chunk";
import type { MetricsDb } from "./db";
import { rangeQuery } from "./prom-api";
import { TsdbQuerier } from "./querier";
import { applyRetention } from "./retention";
import { FIVE_MINUTES, HOUR, Rollup, ROLLUP_GRACE_MS } from "./rollup";
import { RollupRowCache, type RowKey } from "./rollup-cache";
import { FIXTURE_T0, fixtureHistory, freshDb, writeHistory } from "./rollup-fixtures";

const points = (n: number): DecodedChunk => ({
  t: Float64Array.from({ length: n }, (_, i) => i * HOUR),
  v: Float64Array.from({ length: n }, (_, i) => i),
});
const row = (firstT: number, count = 10, lastT = firstT + 9 * HOUR): RowKey => ({
  firstT,
  lastT,
  count,
});
/** An entry of 10 points: 160 bytes of arrays and the 200 counted for the rest. */
const ENTRY = 360;

describe("RollupRowCache", () => {
  it("gives back what it holds for the row as it is, and drops an entry the row has outgrown", () => {
    const cache = new RollupRowCache();
    const p = points(10);
    cache.set(7, HOUR, "counter", row(0), p);
    expect(cache.get(7, HOUR, "counter", row(0))).toBe(p);
    expect(cache.holds(7)).toBe(true);
    // Another field, step or series is another entry.
    expect(cache.get(7, HOUR, "last", row(0))).toBeUndefined();
    expect(cache.get(7, FIVE_MINUTES, "counter", row(0))).toBeUndefined();
    expect(cache.get(8, HOUR, "counter", row(0))).toBeUndefined();
    // The newest row of a series was appended to since: a point more, a later end.
    expect(cache.get(7, HOUR, "counter", row(0, 11, 10 * HOUR))).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    expect(cache.holds(7)).toBe(false);
  });

  it("stays within its bound, dropping first what has not been read since the last drop", () => {
    const cache = new RollupRowCache(3 * ENTRY);
    for (const first of [0, 1, 2])
      cache.set(1, HOUR, "counter", row(first * 10 * HOUR), points(10));
    expect(cache.bytes).toBe(3 * ENTRY);
    // The oldest was read again: it gets a second chance, the next oldest goes.
    expect(cache.get(1, HOUR, "counter", row(0))).toBeDefined();
    cache.set(1, HOUR, "counter", row(30 * HOUR), points(10));
    expect(cache.bytes).toBe(3 * ENTRY);
    const held = [0, 1, 2, 3].filter((k) => cache.get(1, HOUR, "counter", row(k * 10 * HOUR)));
    expect(held).toEqual([0, 2, 3]);
    // Larger than the whole bound: not kept at all.
    cache.set(2, HOUR, "counter", row(0, 100), points(100));
    expect(cache.holds(2)).toBe(false);
    expect(cache.size).toBe(3);
    cache.clear();
    expect([cache.size, cache.bytes, cache.holds(1)]).toEqual([0, 0, false]);
  });
});

describe("the querier's decoded rollup rows", () => {
  const T0 = FIXTURE_T0;
  const SERIES = fixtureHistory(11, 9, 72);
  // Hourly and 5-minute points, every function's field, the carry into raw samples
  // the rollup has not reached, and an aggregation.
  const QUERIES: [string, number][] = [
    ["rate(requests_total[3h])", HOUR],
    ["increase(requests_total[2h])", 2 * HOUR],
    ["avg_over_time(queue_depth[2h])", HOUR],
    ["max_over_time(queue_depth[1h])", HOUR],
    ["min_over_time(queue_depth[1h])", HOUR],
    ["sum_over_time(queue_depth[1h])", HOUR],
    ["count_over_time(requests_total[1h])", HOUR],
    ["resets(requests_total[3h])", HOUR],
    ["queue_depth", HOUR],
    ['sum by (job) (rate(requests_total{job=~"api|flaky"}[3h]))', HOUR],
    ["rate(requests_total[30m])", FIVE_MINUTES],
    ["changes(queue_depth[1h])", FIVE_MINUTES],
  ];

  const answers = (q: TsdbQuerier) =>
    QUERIES.map(([query, step]) => {
      const params = new URLSearchParams({
        query,
        start: String((T0 + 2 * HOUR) / 1000),
        end: String((T0 + 72 * HOUR) / 1000),
        step: String(step / 1000),
      });
      const { data, timing } = rangeQuery(params, q);
      return { query, data, resolution: timing.resolution };
    });

  const rollUp = (db: MetricsDb, until: number) =>
    new Rollup(db).runNow(until + ROLLUP_GRACE_MS + FIVE_MINUTES);

  it("answer exactly as decoding every row, as rows are appended to and deleted", async () => {
    const db = freshDb();
    writeHistory(db, SERIES, T0 + 40 * HOUR);
    rollUp(db, T0 + 40 * HOUR);
    const cached = new TsdbQuerier(db);
    // Small enough that rows are dropped and read again within one query.
    const small = new TsdbQuerier(db, { cacheBytes: 40_000 });
    const uncached = () => new TsdbQuerier(db, { cacheBytes: 0 });

    const first = answers(uncached());
    expect(answers(cached)).toEqual(first);
    // Queries after the first read some of the same rows and fields.
    const once = { ...cached.rollupRows };
    expect(once.decoded).toBeGreaterThan(50);
    // Asked again, every row comes from the cache.
    expect(answers(cached)).toEqual(first);
    expect(cached.rollupRows).toEqual({
      cached: 2 * once.cached + once.decoded,
      decoded: once.decoded,
    });
    expect(answers(small)).toEqual(first);
    expect(answers(small)).toEqual(first);
    expect(small.rollupCache.bytes).toBeLessThanOrEqual(40_000);
    expect(small.rollupRows.cached).toBeGreaterThan(0);
    expect(new Set(first.map((a) => a.resolution))).toEqual(new Set(["1h", "5m"]));

    // 32 hours more: the newest rows get points appended, so the entries for them are
    // outdated, and the raw tail the stored points carry into moves on.
    writeHistory(db, SERIES);
    rollUp(db, T0 + 72 * HOUR);
    const before = { ...cached.rollupRows };
    const second = answers(uncached());
    expect(second).not.toEqual(first);
    expect(answers(cached)).toEqual(second);
    expect(cached.rollupRows.decoded).toBeGreaterThan(before.decoded);
    expect(answers(small)).toEqual(second);

    // Retention deletes the oldest rows: they are not read from the cache either.
    await applyRetention(
      db,
      { raw: 10 * HOUR, fiveMinute: 30 * HOUR, hour: 60 * HOUR },
      T0 + 72 * HOUR,
      { yield: false },
    );
    const third = answers(uncached());
    expect(third).not.toEqual(second);
    expect(answers(cached)).toEqual(third);
    expect(answers(small)).toEqual(third);
  });
});
