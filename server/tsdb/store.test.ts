import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isStaleNaN, STALE_NAN } from "@/lib/metrics/stale";
import type { LabelMatcher } from "@/lib/promql/ast";
import { BLOCK_SPAN_MS } from "./blocks";
import { openMetricsDb } from "./db";
import type { LabelPairs } from "./labels";
import { TsdbQuerier } from "./querier";
import { CHUNK_SAMPLES, CHUNK_SPAN_MS, TsdbWriter } from "./writer";

const T0 = 1_764_000_000_000;

function freshDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-tsdb-"));
}

const series = (name: string, labels: Record<string, string> = {}): LabelPairs =>
  Object.entries({ __name__: name, ...labels }).sort(([a], [b]) => (a < b ? -1 : 1));

const eq = (name: string, value: string): LabelMatcher => ({ name, op: "=", value });
const all = { start: 0, end: Number.MAX_SAFE_INTEGER, step: 0, func: undefined, range: 0 };

describe("the metrics store", () => {
  it("stores each series once, its samples in chunks, and reads them back in time order", () => {
    const db = openMetricsDb(freshDir());
    const w = new TsdbWriter(db);
    const a = series("http_requests_total", { job: "navi", instance: "a:1", code: "200" });
    const b = series("http_requests_total", { job: "navi", instance: "b:1", code: "500" });
    for (let i = 0; i < 300; i++) {
      w.append(a, T0 + i * 15_000, i);
      w.append(b, T0 + i * 15_000, i * 0.5);
    }
    w.commit();
    expect(db.prepare("SELECT count(*) AS n FROM series").get()).toEqual({ n: 2 });
    // 300 samples: two closed chunks of 120, the open one holds 60.
    expect(db.prepare("SELECT count(*) AS n FROM chunks").get()).toEqual({ n: 4 });
    const heads = db.prepare("SELECT count FROM head").all();
    expect(heads).toEqual([{ count: 60 }, { count: 60 }]);
    const q = new TsdbQuerier(db);
    const [got] = q.select([eq("__name__", "http_requests_total"), eq("code", "200")], all);
    expect(got!.labels).toEqual({
      __name__: "http_requests_total",
      code: "200",
      instance: "a:1",
      job: "navi",
    });
    expect(Array.from(got!.t)).toEqual(Array.from({ length: 300 }, (_, i) => T0 + i * 15_000));
    expect(Array.from(got!.v)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it("reads only the window asked for, across chunk boundaries", () => {
    const db = openMetricsDb(freshDir());
    const w = new TsdbWriter(db);
    const s = series("up", { job: "navi" });
    for (let i = 0; i < 1000; i++) w.append(s, T0 + i * 15_000, i % 2);
    w.commit();
    const q = new TsdbQuerier(db);
    const start = T0 + 119 * 15_000;
    const end = T0 + 481 * 15_000;
    const [got] = q.select([eq("__name__", "up")], { ...all, start, end });
    expect(got!.t.length).toBe(481 - 119 + 1);
    expect(got!.t[0]).toBe(start);
    expect(got!.t[got!.t.length - 1]).toBe(end);
    expect(q.select([eq("__name__", "up")], { ...all, start: T0 - 10_000, end: T0 - 1 })).toEqual(
      [],
    );
  });

  it("closes a chunk after 120 samples or two hours, whichever comes first", () => {
    const db = openMetricsDb(freshDir());
    const w = new TsdbWriter(db);
    const s = series("slow_gauge");
    // One sample every 5 minutes: 24 of them span two hours.
    for (let i = 0; i < 50; i++) w.append(s, T0 + i * 300_000, i);
    w.commit();
    const chunks = db
      .prepare("SELECT first_t, last_t, count FROM chunks ORDER BY first_t")
      .all() as { first_t: number; last_t: number; count: number }[];
    expect(chunks.map((c) => c.count)).toEqual([24, 24]);
    for (const c of chunks) expect(c.last_t - c.first_t).toBeLessThan(CHUNK_SPAN_MS);
    expect(CHUNK_SAMPLES).toBe(120);
  });

  it("cuts a chunk at every two-hour block boundary, as Prometheus's head does", () => {
    const db = openMetricsDb(freshDir());
    const w = new TsdbWriter(db);
    // T0 is on a boundary: once a minute from T0 + 1 h 30 m, 30 samples reach it.
    for (let i = 0; i < 90; i++) w.append(series("g"), T0 + 90 * 60_000 + i * 60_000, i);
    w.commit();
    expect(db.prepare("SELECT first_t, last_t, count FROM chunks").all()).toEqual([
      { first_t: T0 + 90 * 60_000, last_t: T0 + BLOCK_SPAN_MS - 60_000, count: 30 },
    ]);
    expect(db.prepare("SELECT first_t, count FROM head").all()).toEqual([
      { first_t: T0 + BLOCK_SPAN_MS, count: 60 },
    ]);
  });

  it("answers = != =~ !~ matchers as Prometheus does, a missing label matching the empty value", () => {
    const db = openMetricsDb(freshDir());
    const w = new TsdbWriter(db);
    w.append(series("m", { job: "api", path: "/taps" }), T0, 1);
    w.append(series("m", { job: "api", path: "/pair" }), T0, 2);
    w.append(series("m", { job: "worker" }), T0, 3);
    w.append(series("other", { job: "api" }), T0, 4);
    w.commit();
    const q = new TsdbQuerier(db);
    const values = (ms: LabelMatcher[]) =>
      q
        .select(ms, all)
        .map((s) => s.v[0])
        .sort();
    expect(values([eq("__name__", "m")])).toEqual([1, 2, 3]);
    expect(values([eq("__name__", "m"), { name: "path", op: "!=", value: "/taps" }])).toEqual([
      2, 3,
    ]);
    expect(
      values([eq("__name__", "m"), { name: "path", op: "=~", value: "/(taps|pair)" }]),
    ).toEqual([1, 2]);
    // Anchored: "/ta" matches no whole value.
    expect(values([eq("__name__", "m"), { name: "path", op: "=~", value: "/ta" }])).toEqual([]);
    expect(values([eq("__name__", "m"), { name: "path", op: "=", value: "" }])).toEqual([3]);
    expect(values([eq("__name__", "m"), { name: "path", op: "!~", value: "" }])).toEqual([1, 2]);
    expect(values([{ name: "__name__", op: "=~", value: "m|other" }, eq("job", "api")])).toEqual([
      1, 2, 4,
    ]);
    expect(values([{ name: "job", op: "=~", value: ".+" }])).toEqual([1, 2, 3, 4]);
  });

  it("keeps the staleness marker's exact bits and an ordinary NaN apart", () => {
    const db = openMetricsDb(freshDir());
    const w = new TsdbWriter(db);
    const s = series("g");
    w.append(s, T0, NaN);
    w.append(s, T0 + 1000, STALE_NAN);
    w.append(s, T0 + 2000, -0);
    w.commit();
    const [got] = new TsdbQuerier(db).select([eq("__name__", "g")], all);
    expect(Number.isNaN(got!.v[0]!) && !isStaleNaN(got!.v[0]!)).toBe(true);
    expect(isStaleNaN(got!.v[1]!)).toBe(true);
    expect(Object.is(got!.v[2], -0)).toBe(true);
  });

  it("refuses a sample older than its series' last, and counts it", () => {
    const db = openMetricsDb(freshDir());
    const w = new TsdbWriter(db);
    const s = series("g");
    expect(w.append(s, T0 + 1000, 1)).toBe("ok");
    expect(w.append(s, T0, 2)).toBe("out-of-order");
    expect(w.append(s, T0 + 1000, 3)).toBe("duplicate");
    expect(w.counters).toMatchObject({ samples: 1, outOfOrder: 1, duplicates: 1 });
  });

  it("goes on with the same open chunk after a restart, losing nothing that was committed", () => {
    const dir = freshDir();
    const db = openMetricsDb(dir);
    const s = series("c", { job: "x" });
    let w = new TsdbWriter(db);
    for (let i = 0; i < 70; i++) w.append(s, T0 + i * 1000, i);
    w.commit();
    // Appended but not committed: a crash loses this second, and only this.
    w.append(s, T0 + 70_000, 70);
    db.close();

    const db2 = openMetricsDb(dir);
    w = new TsdbWriter(db2);
    expect(w.append(s, T0 + 69_000, 0)).toBe("duplicate");
    for (let i = 70; i < 200; i++) w.append(s, T0 + i * 1000, i);
    w.commit();
    const [got] = new TsdbQuerier(db2).select([eq("__name__", "c")], all);
    expect(Array.from(got!.v)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(db2.prepare("SELECT count(*) AS n FROM series").get()).toEqual({ n: 1 });
  });

  it("refuses a metrics.db from a newer Opsdeck instead of writing to it", () => {
    const dir = freshDir();
    const db = openMetricsDb(dir);
    db.pragma("user_version = 99");
    db.close();
    expect(() => openMetricsDb(dir)).toThrow(/schema version 99, newer than this Opsdeck knows/);
  });
});
