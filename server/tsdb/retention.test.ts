import { describe, expect, it } from "vitest";
import type { MetricsDb } from "./db";
import type { LabelPairs } from "./labels";
import { ChunkCompactor } from "./compact";
import { RawReader } from "./raw-read";
import { applyRetention } from "./retention";
import { FIVE_MINUTES, HOUR, Meta, META, Rollup } from "./rollup";
import { FIXTURE_T0, freshDb, SCRAPE_MS } from "./rollup-fixtures";
import { TsdbWriter } from "./writer";

const DAY = 86_400_000;
const NOW = FIXTURE_T0;
const RETENTION = { raw: 15 * DAY, fiveMinute: 90 * DAY, hour: 400 * DAY };

const labels = (instance: string): LabelPairs => [
  ["__name__", "up"],
  ["instance", instance],
];

/** Two hours of 15-second samples from `from`. */
function twoHours(w: TsdbWriter, instance: string, from: number): void {
  for (let t = from; t < from + 2 * HOUR; t += SCRAPE_MS) w.append(labels(instance), t, 1);
}

/** Four series whose data is 1 hour, 20 days, 100 days and 410 days old, each rolled up. */
function history(): { db: MetricsDb; w: TsdbWriter } {
  const db = freshDb();
  const w = new TsdbWriter(db);
  for (const [instance, age] of [
    ["d", 410 * DAY],
    ["c", 100 * DAY],
    ["b", 20 * DAY],
  ] as const) {
    twoHours(w, instance, NOW - age);
    w.commit();
  }
  twoHours(w, "a", NOW - 30 * DAY);
  twoHours(w, "a", NOW - 3 * HOUR);
  w.commit();
  new Rollup(db).runNow(NOW);
  return { db, w };
}

const ids = (db: MetricsDb, sql: string) =>
  (db.prepare(sql).all() as { instance: string }[]).map((r) => r.instance);

const byInstance = (table: string, where = "1") =>
  `SELECT DISTINCT p.value AS instance FROM ${table} x JOIN postings p ON p.series_id = x.series_id
     AND p.name = 'instance' WHERE ${where} ORDER BY 1`;

describe("metrics retention", () => {
  it("deletes each resolution past its retention, and the series left with nothing", async () => {
    const { db } = history();
    expect(ids(db, byInstance("chunks"))).toEqual(["a", "b", "c", "d"]);
    const report = await applyRetention(db, RETENTION, NOW, { yield: false });

    expect(ids(db, byInstance("chunks"))).toEqual(["a"]);
    expect(ids(db, byInstance("head"))).toEqual(["a"]);
    const oldest = db.prepare("SELECT min(first_t) AS t FROM chunks").get() as { t: number };
    expect(oldest.t).toBe(NOW - 3 * HOUR);
    expect(ids(db, byInstance("rollups", `step = ${FIVE_MINUTES}`))).toEqual(["a", "b"]);
    expect(ids(db, byInstance("rollups", `step = ${HOUR}`))).toEqual(["a", "b", "c"]);
    // a's 30-day-old points are past raw retention but inside the rollups'.
    const aFive = db
      .prepare(
        `SELECT min(first_t) AS t FROM rollups WHERE step = ${FIVE_MINUTES} AND series_id = 4`,
      )
      .get() as { t: number };
    expect(aFive.t).toBeLessThan(NOW - 29 * DAY);

    // d had nothing left: its series, postings and head are gone.
    expect(
      ids(db, "SELECT value AS instance FROM postings WHERE name = 'instance' ORDER BY 1"),
    ).toEqual(["a", "b", "c"]);
    expect(db.prepare("SELECT count(*) AS n FROM series").get()).toEqual({ n: 3 });
    expect(db.prepare("SELECT count(*) AS n FROM postings WHERE series_id = 1").get()).toEqual({
      n: 0,
    });
    expect(report).toMatchObject({ series: 1, heads: 3 });
    // Three closed chunks each of b, c and d; four of a (its open one closed when the newer samples came).
    expect(report.chunks).toBe(3 * 3 + 4);
    const meta = new Meta(db);
    expect(meta.get(META.from("raw"))).toBe(NOW - RETENTION.raw);
    expect(meta.get(META.from("5m"))).toBe(NOW - RETENTION.fiveMinute);
    expect(meta.get(META.from("1h"))).toBe(NOW - RETENTION.hour);

    // A second run finds nothing more to delete.
    const again = await applyRetention(db, RETENTION, NOW, { batchSeries: 1, yield: false });
    expect(again).toMatchObject({ chunks: 0, heads: 0, fiveMinuteRows: 0, hourRows: 0, series: 0 });
    expect(again.batches).toBe(3);
  });

  it("never deletes what the next rollup has not read yet", async () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    twoHours(w, "x", NOW - 30 * DAY);
    w.commit();
    const report = await applyRetention(db, RETENTION, NOW, { yield: false });
    expect(report).toMatchObject({ chunks: 0, heads: 0, series: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM chunks").get()).toEqual({ n: 3 });
    expect(db.prepare("SELECT count(*) AS n FROM head").get()).toEqual({ n: 1 });
  });

  it("keeps a series the writer holds samples for that are not committed yet", async () => {
    const { db, w } = history();
    // d's series gets a new sample, appended and not yet committed.
    w.append(labels("d"), NOW, 1);
    const report = await applyRetention(db, RETENTION, NOW, { writer: w, yield: false });
    expect(report.series).toBe(0);
    expect(report.heads).toBe(2);
    w.commit();
    const d = db.prepare("SELECT first_t, last_t FROM head WHERE series_id = 1").get() as {
      first_t: number;
      last_t: number;
    };
    expect(d.last_t).toBe(NOW);
    // b's released head starts afresh: its 20-day-old samples do not come back.
    w.append(labels("b"), NOW, 1);
    w.commit();
    expect(db.prepare("SELECT first_t, count FROM head WHERE series_id = 3").get()).toEqual({
      first_t: NOW,
      count: 1,
    });
  });

  it("deletes compacted block rows once their last sample is past the cut-off, keeping one that straddles it whole", async () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    // Every 15 s from NOW - 10 h to NOW - 1 h; NOW is on a block boundary.
    for (let t = NOW - 10 * HOUR; t < NOW - HOUR; t += SCRAPE_MS) w.append(labels("x"), t, 1);
    // y: 20 minutes in block NOW - 6 h, then nothing; its open chunk is not a block's.
    for (let t = NOW - 5 * HOUR; t < NOW - 5 * HOUR + 20 * 60_000; t += SCRAPE_MS)
      w.append(labels("y"), t, 2);
    w.commit();
    new Rollup(db).runNow(NOW);
    expect(new ChunkCompactor(db).runNow(NOW)).toMatchObject({ rows: 4 });
    const blocks = () =>
      db.prepare("SELECT block, series_id, count FROM blocks ORDER BY block").all();
    expect(blocks()).toEqual([
      { block: NOW - 10 * HOUR, series_id: 1, count: 480 },
      { block: NOW - 8 * HOUR, series_id: 1, count: 480 },
      { block: NOW - 6 * HOUR, series_id: 1, count: 480 },
      { block: NOW - 4 * HOUR, series_id: 1, count: 480 },
    ]);

    // A cut-off at NOW - 7 h falls inside block NOW - 8 h: that row is kept whole.
    const seven = { ...RETENTION, raw: 7 * HOUR };
    const first = await applyRetention(db, seven, NOW, { yield: false });
    expect(first.blockRows).toBe(1);
    expect(blocks()).toEqual([
      { block: NOW - 8 * HOUR, series_id: 1, count: 480 },
      { block: NOW - 6 * HOUR, series_id: 1, count: 480 },
      { block: NOW - 4 * HOUR, series_id: 1, count: 480 },
    ]);
    const raw = new RawReader(db);
    expect(raw.read(1, NOW - 8 * HOUR, NOW - 7 * HOUR).t.length).toBe(241);
    expect(raw.read(1, NOW - 10 * HOUR, NOW - 8 * HOUR - 1).t.length).toBe(0);

    // An hour later its last sample (NOW - 6 h - 15 s) is past the cut-off.
    const later = await applyRetention(db, seven, NOW + HOUR, { yield: false });
    expect(later.blockRows).toBe(1);
    expect(blocks()).toHaveLength(2);
    expect(raw.read(1, -Infinity, Infinity).t[0]).toBe(NOW - 6 * HOUR);
    expect(db.prepare("SELECT count(*) AS n FROM series").get()).toEqual({ n: 2 });
  });

  it("keeps a series whose only samples are compacted blocks, and deletes it with them", async () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    for (let t = NOW - 10 * HOUR; t < NOW - 8 * HOUR; t += SCRAPE_MS) w.append(labels("z"), t, 1);
    w.append(labels("z"), NOW - 8 * HOUR, 1);
    w.commit();
    new Rollup(db).runNow(NOW);
    new ChunkCompactor(db).runNow(NOW);
    // Nothing left of it but its block row: no head, no chunks, no rollups.
    db.exec("DELETE FROM head; DELETE FROM rollups");
    expect(db.prepare("SELECT count(*) AS n FROM chunks").get()).toEqual({ n: 0 });
    const keep = await applyRetention(db, { ...RETENTION, raw: 11 * HOUR }, NOW, { yield: false });
    expect(keep).toMatchObject({ blockRows: 0, series: 0 });
    const gone = await applyRetention(db, { ...RETENTION, raw: 8 * HOUR }, NOW, { yield: false });
    expect(gone).toMatchObject({ blockRows: 1, series: 1 });
    expect(db.prepare("SELECT count(*) AS n FROM series").get()).toEqual({ n: 0 });
  });
});
