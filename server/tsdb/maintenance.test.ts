import { describe, expect, it } from "vitest";
import { MetricsMaintenance, RETENTION_EVERY_MS } from "./maintenance";
import { FIVE_MINUTES, HOUR } from "./rollup";
import { FIXTURE_T0, freshDb, SCRAPE_MS } from "./rollup-fixtures";
import { TsdbWriter } from "./writer";

const DAY = 86_400_000;
const RETENTION = { raw: 15 * DAY, fiveMinute: 90 * DAY, hour: 400 * DAY };

describe("the metrics thread's maintenance", () => {
  it("rolls up at every run and applies retention at most once an hour", async () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    const now = FIXTURE_T0 + 20 * DAY;
    for (let t = FIXTURE_T0; t < FIXTURE_T0 + HOUR; t += SCRAPE_MS)
      w.append([["__name__", "up"]], t, 1);
    w.commit();
    const m = new MetricsMaintenance(db, w);

    const first = await m.run(RETENTION, now);
    expect(first.rollup.done["5m"]).toBe(
      Math.floor((now - 2 * 60_000) / FIVE_MINUTES) * FIVE_MINUTES,
    );
    // The closed chunk was compacted into its block; the 20-day-old raw samples were
    // rolled up, then deleted.
    expect(first.compaction).toMatchObject({ series: 1, chunks: 1, rows: 1 });
    expect(first.retention).toMatchObject({ blockRows: 1, heads: 1, series: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM blocks").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM head").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM rollups").get()).toEqual({ n: 2 });

    const soon = await m.run(RETENTION, now + RETENTION_EVERY_MS - 1);
    expect(soon.retention).toBeUndefined();
    expect(soon.compaction).toMatchObject({ series: 0, rows: 0 });
    const later = await m.run(RETENTION, now + RETENTION_EVERY_MS);
    expect(later.retention).toMatchObject({ chunks: 0, heads: 0, series: 0 });
  });

  it("does nothing once told to stop", async () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    w.append([["__name__", "up"]], FIXTURE_T0, 1);
    w.commit();
    const r = await new MetricsMaintenance(db, w).run(RETENTION, FIXTURE_T0 + DAY, () => true);
    expect(r.rollup.batches).toBe(0);
    expect(r.compaction).toBeUndefined();
    expect(r.retention).toBeUndefined();
    expect(db.prepare("SELECT count(*) AS n FROM rollups").get()).toEqual({ n: 0 });
  });
});
