import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ChunkAppender, type DecodedChunk } from "@/lib/metrics/chunk";
import { STALE_NAN } from "@/lib/metrics/stale";
import { BLOCK_SPAN_MS, blockRowBytes, blockStart, COMPACT_META } from "./blocks";
import { ChunkCompactor, COMPACT_GRACE_MS } from "./compact";
import { openMetricsDb, type MetricsDb } from "./db";
import type { LabelPairs } from "./labels";
import { METRICS_MIGRATIONS } from "./migrations";
import { RawReader } from "./raw-read";
import { Meta, Rollup } from "./rollup";
import {
  fixtureHistory,
  FIXTURE_T0,
  freshDb,
  rollupRows,
  SCRAPE_MS,
  writeHistory,
  type FixtureSeries,
} from "./rollup-fixtures";
import { TsdbWriter } from "./writer";

const HOUR = 3_600_000;
const T0 = FIXTURE_T0;

/** A float from its bits: NaN payloads a plain array could rewrite. */
function fromBits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

/** Values as their exact bits, hex, so NaNs compare by payload. */
function bits(v: Float64Array): string[] {
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length }, (_, i) => view.getBigUint64(i * 8, true).toString(16));
}

function sameSamples(got: DecodedChunk, want: DecodedChunk): void {
  expect(Array.from(got.t)).toEqual(Array.from(want.t));
  expect(bits(got.v)).toEqual(bits(want.v));
}

/** Every row of every table that holds samples, and the compaction's progress. */
function snapshot(db: MetricsDb): unknown {
  const rows = (sql: string) => db.prepare(sql).all();
  return {
    chunks: rows(
      "SELECT series_id, first_t, last_t, count, hex(data) AS d FROM chunks ORDER BY 1, 2",
    ),
    head: rows("SELECT series_id, first_t, last_t, count, hex(data) AS d FROM head ORDER BY 1"),
    blocks: rows(
      "SELECT block, series_id, first_t, last_t, count, hex(data) AS d FROM blocks ORDER BY 1, 2, 3",
    ),
    meta: rows("SELECT key, value FROM meta WHERE key LIKE 'compact.%' ORDER BY 1"),
  };
}

const count = (db: MetricsDb, sql: string) => (db.prepare(sql).get() as { n: number | null }).n;

/** Six fixture series over 7 hours, one with every kind of float a chunk must keep. */
function history(): { db: MetricsDb; series: FixtureSeries[] } {
  const series = fixtureHistory(11, 6, 7);
  // A Float64Array: a plain array of doubles quiets NaN payloads.
  const odd = Float64Array.of(
    STALE_NAN,
    NaN,
    fromBits(0x7ff8dead, 0x00000001),
    fromBits(0xfff00000, 0x00000007),
    -0,
    Infinity,
    -Infinity,
    5e-324,
    1.5,
  );
  const n = (7 * HOUR) / SCRAPE_MS;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = T0 + i * SCRAPE_MS + 3_000;
    v[i] = odd[i % odd.length]!;
  }
  series.push({ labels: [["__name__", "odd_values"]], t, v });
  const db = freshDb();
  writeHistory(db, series);
  return { db, series };
}

/** The fixture's samples of one series with start <= t <= end. */
function expected(s: FixtureSeries, start: number, end: number): DecodedChunk {
  const from = s.t.findIndex((t) => t >= start);
  let to = s.t.length;
  while (to > 0 && s.t[to - 1]! > end) to--;
  if (from < 0 || from >= to) return { t: new Float64Array(0), v: new Float64Array(0) };
  return { t: s.t.subarray(from, to), v: s.v.subarray(from, to) };
}

const NOW = T0 + 7 * HOUR;
const WINDOWS: [number, number][] = [
  [-Infinity, Infinity],
  [NOW - HOUR, NOW],
  [T0 + HOUR, T0 + 2 * HOUR + 30 * 60_000],
  [T0 + 2 * HOUR - 1, T0 + 2 * HOUR],
  [T0 + 4 * HOUR - 7 * 60_000, T0 + 6 * HOUR + 7 * 60_000],
  [T0 + 3 * HOUR + 3_000, T0 + 3 * HOUR + 3_000],
  [T0 - HOUR, T0 - 1],
];

describe("the compaction of closed chunks into blocks", () => {
  it("merges each finished block's closed chunks into one row a series, every sample read back bit for bit", () => {
    const { db, series } = history();
    // The writer cuts chunks at block boundaries: no chunk crosses one.
    expect(
      count(
        db,
        `SELECT count(*) AS n FROM chunks WHERE first_t / ${BLOCK_SPAN_MS} != last_t / ${BLOCK_SPAN_MS}`,
      ),
    ).toBe(0);
    const closedBefore = count(
      db,
      `SELECT count(*) AS n FROM chunks WHERE last_t < ${T0 + 6 * HOUR}`,
    );
    const raw = new RawReader(db);

    const report = new ChunkCompactor(db).runNow(NOW + COMPACT_GRACE_MS);

    // The horizon is T0 + 6 h: blocks T0, T0 + 2 h and T0 + 4 h, 7 series each.
    expect(report).toMatchObject({ series: 7, chunks: closedBefore });
    expect(report.rows).toBe(count(db, "SELECT count(*) AS n FROM blocks"));
    const pairs = db
      .prepare(
        `SELECT count(*) AS n, sum(length(data)) AS bytes, max(length(data)) AS largest
           FROM blocks GROUP BY block, series_id`,
      )
      .all() as { n: number; bytes: number; largest: number }[];
    expect(pairs.length).toBe(21);
    // One row a series and block, unless its chunks are more than a row holds (the
    // fixture's one-decimal gauges and the odd values, ~8 bytes a sample).
    const cap = blockRowBytes(db);
    for (const p of pairs) {
      expect(p.largest).toBeLessThanOrEqual(cap);
      if (p.n > 1) expect(p.bytes).toBeGreaterThan(cap);
    }
    expect(pairs.filter((p) => p.n > 1).length).toBe(report.rows - 21);
    expect(db.prepare("SELECT DISTINCT block FROM blocks ORDER BY block").pluck().all()).toEqual([
      T0,
      T0 + 2 * HOUR,
      T0 + 4 * HOUR,
    ]);
    const before = series.reduce((n, s) => n + s.t.filter((t) => t < T0 + 6 * HOUR).length, 0);
    expect(count(db, "SELECT sum(count) AS n FROM blocks")).toBe(before);
    expect(count(db, `SELECT count(*) AS n FROM chunks WHERE first_t < ${T0 + 6 * HOUR}`)).toBe(0);
    const total = series.reduce((n, s) => n + s.t.length, 0);
    expect(
      count(db, "SELECT sum(count) AS n FROM chunks")! +
        count(db, "SELECT sum(count) AS n FROM head")!,
    ).toBe(total - before);
    // Every row holds one block's samples only.
    expect(
      count(
        db,
        `SELECT count(*) AS n FROM blocks WHERE first_t < block OR last_t >= block + ${BLOCK_SPAN_MS}`,
      ),
    ).toBe(0);

    series.forEach((s, i) => {
      for (const [start, end] of WINDOWS)
        sameSamples(raw.read(i + 1, start, end), expected(s, start, end));
    });
    const odd = raw.read(7, -Infinity, Infinity);
    expect(bits(odd.v.subarray(0, 4))).toEqual([
      "7ff0000000000002",
      "7ff8000000000000",
      "7ff8dead00000001",
      "fff0000000000007",
    ]);
  });

  it("finds nothing to do a second time, and goes on where a stopped run was", () => {
    const reference = history().db;
    new ChunkCompactor(reference).runNow(NOW + COMPACT_GRACE_MS);

    const { db } = history();
    const first = new ChunkCompactor(db, { batchSeries: 2 });
    expect(first.step(NOW + COMPACT_GRACE_MS)).toBe(true);
    expect(db.prepare("SELECT DISTINCT series_id FROM blocks ORDER BY 1").pluck().all()).toEqual([
      1, 2,
    ]);
    expect(new Meta(db).get(COMPACT_META.after)).toBe(2);
    // A new compactor (a restarted process) reads the progress from meta.
    const rest = new ChunkCompactor(db).runNow(NOW + COMPACT_GRACE_MS);
    expect(rest.series).toBe(5);
    expect(snapshot(db)).toEqual(snapshot(reference));

    const again = new ChunkCompactor(db).runNow(NOW + COMPACT_GRACE_MS);
    expect(again).toEqual({ batches: 0, series: 0, chunks: 0, rows: 0, longestBatchMs: 0 });
    expect(snapshot(db)).toEqual(snapshot(reference));
  });

  it("leaves everything as it was when a batch dies half-way, and the next run merges each sample once", () => {
    const reference = history().db;
    new ChunkCompactor(reference).runNow(NOW + COMPACT_GRACE_MS);
    const { db, series } = history();
    const untouched = snapshot(db);
    // The third row written kills the transaction, as a crash would.
    db.exec(`CREATE TEMP TRIGGER die AFTER INSERT ON blocks WHEN (SELECT count(*) FROM blocks) >= 3
      BEGIN SELECT RAISE(ABORT, 'killed mid-batch'); END`);
    expect(() => new ChunkCompactor(db).runNow(NOW + COMPACT_GRACE_MS)).toThrow("killed mid-batch");
    expect(snapshot(db)).toEqual(untouched);

    db.exec("DROP TRIGGER die");
    new ChunkCompactor(db).runNow(NOW + COMPACT_GRACE_MS);
    expect(snapshot(db)).toEqual(snapshot(reference));
    const raw = new RawReader(db);
    series.forEach((s, i) => sameSamples(raw.read(i + 1, -Infinity, Infinity), s));
  });

  it("merges a chunk closed after its block was compacted into that block's row", () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    const quiet: LabelPairs = [["__name__", "quiet"]];
    // 150 samples: a chunk of 120 closes, 30 stay open; then nothing for hours.
    for (let i = 0; i < 150; i++) w.append(quiet, T0 + i * SCRAPE_MS, i);
    w.commit();
    const c = new ChunkCompactor(db);
    expect(c.runNow(T0 + 3 * HOUR)).toMatchObject({ chunks: 1, rows: 1 });
    expect(new Meta(db).get(COMPACT_META.redo)).toBe(0);

    // It comes back: its open chunk closes into block T0, already compacted.
    w.append(quiet, T0 + 5 * HOUR, 150);
    w.commit();
    expect(new Meta(db).get(COMPACT_META.redo)).toBe(1);
    const late = c.runNow(T0 + 5 * HOUR);
    expect(late).toMatchObject({ series: 1, chunks: 1, rows: 1 });
    expect(db.prepare("SELECT block, first_t, last_t, count FROM blocks").all()).toEqual([
      { block: T0, first_t: T0, last_t: T0 + 149 * SCRAPE_MS, count: 150 },
    ]);
    const got = new RawReader(db).read(1, -Infinity, Infinity);
    expect(Array.from(got.v)).toEqual([...Array.from({ length: 150 }, (_, i) => i), 150]);
    expect(c.runNow(T0 + 5 * HOUR).batches).toBe(0);
  });

  it("merges overlapping chunks (history imported beside scraped samples) as a read merges them", () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    w.append([["__name__", "imported"]], T0 + 3 * HOUR, 0);
    w.commit();
    const chunk = (times: number[], value: (i: number) => number) => {
      const a = new ChunkAppender();
      times.forEach((t, i) => a.append(t, value(i)));
      return { first: times[0]!, last: times[times.length - 1]!, n: times.length, data: a.bytes() };
    };
    const grid = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => from + i * SCRAPE_MS);
    const insert = db.prepare("INSERT INTO chunks VALUES (1, ?, ?, ?, ?)");
    // Scraped on the grid, imported between its samples, and imported again over 20 of them.
    for (const c of [
      chunk(grid(T0, 120), (i) => i),
      chunk(grid(T0 + 7_500, 120), (i) => 1000 + i),
      chunk(grid(T0 + 60 * SCRAPE_MS, 20), (i) => -i),
    ])
      insert.run(c.first, c.last, c.n, c.data);
    const raw = new RawReader(db);
    const before = raw.read(1, -Infinity, Infinity);
    expect(before.t.length).toBe(241);
    // The first chunk by first timestamp wins a tie.
    expect(before.v[before.t.indexOf(T0 + 60 * SCRAPE_MS)]).toBe(60);

    expect(new ChunkCompactor(db).runNow(T0 + 3 * HOUR)).toMatchObject({ chunks: 3, rows: 1 });
    expect(db.prepare("SELECT count FROM blocks").pluck().all()).toEqual([240]);
    sameSamples(raw.read(1, -Infinity, Infinity), before);
    for (const [start, end] of [
      [T0 + 10 * 60_000, T0 + 20 * 60_000 + 7_500],
      [T0 + 29 * 60_000, T0 + 31 * 60_000],
    ] as const) {
      const from = before.t.findIndex((t) => t >= start);
      const to = before.t.findIndex((t) => t > end);
      sameSamples(raw.read(1, start, end), {
        t: before.t.subarray(from, to),
        v: before.v.subarray(from, to),
      });
    }
  });

  it("splits the chunks of a metrics.db from before the blocks table where they cross a block boundary", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-compact-"));
    const old = new Database(path.join(dir, "metrics.db"));
    old.pragma("page_size = 16384");
    old.exec(METRICS_MIGRATIONS[0]! + METRICS_MIGRATIONS[1]!);
    old.pragma("user_version = 2");
    old
      .prepare("INSERT INTO series (id, name, key, created_at) VALUES (1, 'g', ?, 0)")
      .run(JSON.stringify([["__name__", "g"]]));
    // Once a minute from T0 + 1 h, 120 samples a chunk: each crosses a boundary.
    const t = Float64Array.from({ length: 300 }, (_, i) => T0 + HOUR + i * 60_000);
    const v = Float64Array.from({ length: 300 }, (_, i) => Math.sin(i) * 100);
    const insert = old.prepare("INSERT INTO chunks VALUES (1, ?, ?, ?, ?)");
    for (let from = 0; from < 240; from += 120) {
      const a = new ChunkAppender();
      for (let i = from; i < from + 120; i++) a.append(t[i]!, v[i]!);
      insert.run(t[from]!, t[from + 119]!, 120, a.bytes());
    }
    const head = new ChunkAppender();
    for (let i = 240; i < 300; i++) head.append(t[i]!, v[i]!);
    old.prepare("INSERT INTO head VALUES (1, ?, ?, 60, ?)").run(t[240]!, t[299]!, head.bytes());
    old.close();

    const db = openMetricsDb(dir);
    expect(db.pragma("user_version", { simple: true })).toBe(3);
    const report = new ChunkCompactor(db).runNow(T0 + 7 * HOUR);
    // Chunk 1 (T0 + 1 h … 2 h 59 m) splits across blocks T0 and T0 + 2 h; chunk 2
    // (T0 + 3 h … 4 h 59 m) across T0 + 2 h and T0 + 4 h.
    expect(report).toMatchObject({ chunks: 2, rows: 3 });
    expect(
      db.prepare("SELECT block, first_t, last_t, count FROM blocks ORDER BY block").all(),
    ).toEqual([
      { block: T0, first_t: t[0], last_t: t[59], count: 60 },
      { block: T0 + 2 * HOUR, first_t: t[60], last_t: t[179], count: 120 },
      { block: T0 + 4 * HOUR, first_t: t[180], last_t: t[239], count: 60 },
    ]);
    sameSamples(new RawReader(db).read(1, -Infinity, Infinity), { t, v });
    for (const r of db.prepare("SELECT block, first_t, last_t FROM blocks").all() as {
      block: number;
      first_t: number;
      last_t: number;
    }[])
      expect([blockStart(r.first_t), blockStart(r.last_t)]).toEqual([r.block, r.block]);
  });

  it("leaves the rollup reading every sample exactly once", () => {
    const series = fixtureHistory(5, 9, 8);
    const compacted = freshDb();
    const plain = freshDb();
    writeHistory(compacted, series);
    writeHistory(plain, series);
    const rollups = [new Rollup(compacted), new Rollup(plain)];
    const compactor = new ChunkCompactor(compacted);
    let rows = 0;
    for (let now = T0; now <= T0 + 9 * HOUR; now += 10 * 60_000) {
      rollups[0]!.runNow(now);
      rows += compactor.runNow(now).rows;
      rollups[1]!.runNow(now);
    }
    // Blocks T0 … T0 + 6 h of 9 series (a block of a gauge can take two rows).
    expect(
      count(compacted, "SELECT count(DISTINCT block || ':' || series_id) AS n FROM blocks"),
    ).toBe(9 * 4);
    expect(rows).toBe(count(compacted, "SELECT count(*) AS n FROM blocks"));
    expect(rollupRows(compacted)).toEqual(rollupRows(plain));
    expect((rollupRows(compacted) as unknown[]).length).toBeGreaterThan(0);
  });
});
