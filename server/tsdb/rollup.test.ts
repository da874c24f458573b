import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeRollup,
  ROLLUP_FIELDS,
  type DecodedRollup,
  type RollupPoint,
} from "@/lib/metrics/rollup-chunk";
import { isStaleNaN } from "@/lib/metrics/stale";
import { openMetricsDb, type MetricsDb } from "./db";
import { asBytes } from "./raw-read";
import { FIVE_MINUTES, HOUR, Meta, META, Rollup, ROLLUP_GRACE_MS } from "./rollup";
import {
  FIXTURE_T0,
  fixtureHistory,
  freshDb,
  rollupRows,
  writeHistory,
  type FixtureSeries,
} from "./rollup-fixtures";

/** A point with zeros in a staleness point's fields, to compare with toEqual. */
type Point = Omit<Extract<RollupPoint, { stale: false }>, "stale"> & { stale: boolean };

/**
 * What the 5-minute rollup must hold, worked out here from the raw samples, apart from
 * the code under test: per bucket the samples that are not NaN, the counter through
 * Prometheus's reset rule from the first sample on, and a staleness point where a live
 * series' bucket ends with the marker.
 */
function expectedFiveMinutes(s: FixtureSeries, until: number): Point[] {
  const out: Point[] = [];
  let prev: number | undefined;
  let offset = 0;
  let ended = true;
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < s.t.length; i++) {
    if (s.t[i]! >= until) break;
    const k = Math.floor(s.t[i]! / FIVE_MINUTES);
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k)!.push(i);
  }
  for (const idx of buckets.values()) {
    const liveIdx = idx.filter((i) => !Number.isNaN(s.v[i]!));
    for (const i of liveIdx) {
      if (prev !== undefined && s.v[i]! < prev) offset += prev;
      prev = s.v[i]!;
    }
    if (liveIdx.length > 0) {
      const vals = liveIdx.map((i) => s.v[i]!);
      const lastI = liveIdx[liveIdx.length - 1]!;
      out.push({
        t: s.t[lastI]!,
        stale: false,
        count: vals.length,
        sum: vals.reduce((a, b) => a + b, 0),
        min: Math.min(...vals),
        max: Math.max(...vals),
        last: s.v[lastI]!,
        counter: s.v[lastI]! + offset,
      });
      ended = false;
    }
    const marked = idx.filter((i) => !Number.isNaN(s.v[i]!) || isStaleNaN(s.v[i]!));
    const end = marked[marked.length - 1];
    if (end !== undefined && isStaleNaN(s.v[end]!) && !ended) {
      out.push({
        t: s.t[end]!,
        stale: true,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
        last: 0,
        counter: 0,
      });
      ended = true;
    }
  }
  return out;
}

function expectedHours(fives: Point[], until: number): Point[] {
  const out: Point[] = [];
  let ended = true;
  const hours = new Map<number, Point[]>();
  for (const p of fives) {
    if (p.t >= until) break;
    const k = Math.floor(p.t / HOUR);
    if (!hours.has(k)) hours.set(k, []);
    hours.get(k)!.push(p);
  }
  for (const ps of hours.values()) {
    const live = ps.filter((p) => !p.stale);
    if (live.length > 0) {
      const last = live[live.length - 1]!;
      out.push({
        ...last,
        count: live.reduce((a, p) => a + p.count, 0),
        sum: live.reduce((a, p) => a + p.sum, 0),
        min: Math.min(...live.map((p) => p.min)),
        max: Math.max(...live.map((p) => p.max)),
      });
      ended = false;
    }
    const end = ps[ps.length - 1]!;
    if (end.stale && !ended) {
      out.push(end);
      ended = true;
    }
  }
  return out;
}

function stored(db: MetricsDb, id: number, step: number): Point[] {
  const rows = db
    .prepare("SELECT data FROM rollups WHERE series_id = ? AND step = ? ORDER BY first_t")
    .all(id, step) as { data: Buffer }[];
  const out: Point[] = [];
  for (const r of rows) {
    const d: DecodedRollup = decodeRollup(asBytes(r.data));
    for (let i = 0; i < d.t.length; i++) {
      const stale = isStaleNaN(d.last[i]!);
      if (stale) for (const f of ROLLUP_FIELDS) expect(isStaleNaN(d[f][i]!)).toBe(true);
      out.push(
        stale
          ? { t: d.t[i]!, stale, count: 0, sum: 0, min: 0, max: 0, last: 0, counter: 0 }
          : {
              t: d.t[i]!,
              stale,
              count: d.count[i]!,
              sum: d.sum[i]!,
              min: d.min[i]!,
              max: d.max[i]!,
              last: d.last[i]!,
              counter: d.counter[i]!,
            },
      );
    }
  }
  return out;
}

function idOf(db: MetricsDb, s: FixtureSeries): number {
  return (
    db.prepare("SELECT id FROM series WHERE key = ?").get(JSON.stringify(s.labels)) as {
      id: number;
    }
  ).id;
}

const HOURS = 12;
const END = FIXTURE_T0 + HOURS * HOUR;
// Late enough that every bucket of the history is complete.
const LATER = END + ROLLUP_GRACE_MS + FIVE_MINUTES;

describe("the rollup", () => {
  const history = fixtureHistory(7, 9, HOURS);

  it("holds for every 5-minute and hourly bucket exactly what the raw samples give", () => {
    const db = freshDb();
    writeHistory(db, history);
    const report = new Rollup(db).runNow(LATER);
    expect(report.done).toEqual({ "5m": END + FIVE_MINUTES, "1h": END });
    let stalePoints = 0;
    let resetsAtEdges = 0;
    for (const s of history) {
      const id = idOf(db, s);
      const fives = expectedFiveMinutes(s, END);
      expect(stored(db, id, FIVE_MINUTES)).toEqual(fives);
      expect(stored(db, id, HOUR)).toEqual(expectedHours(fives, END));
      stalePoints += fives.filter((p) => p.stale).length;
      for (let i = 1; i < s.t.length; i++)
        if (s.t[i]! % FIVE_MINUTES === 0 && s.v[i]! < s.v[i - 1]!) resetsAtEdges++;
    }
    // The history has what the test is about.
    expect(stalePoints).toBeGreaterThan(0);
    expect(resetsAtEdges).toBeGreaterThan(0);
    // 144 five-minute points a series: two rows, the first closed at 120 points.
    const counts = db
      .prepare(
        `SELECT count FROM rollups WHERE step = ${FIVE_MINUTES} AND series_id = 1 ORDER BY first_t`,
      )
      .all();
    expect(counts).toEqual([{ count: 120 }, { count: 24 }]);
  });

  it("rolls up only buckets that ended at least the grace period ago", () => {
    const db = freshDb();
    writeHistory(db, history);
    const now = FIXTURE_T0 + 2 * HOUR + 10 * 60_000 + ROLLUP_GRACE_MS - 1;
    const report = new Rollup(db).runNow(now);
    // 02:10 minus the grace is before 02:10's bucket ends, so 02:05 is the last done.
    expect(report.done).toEqual({
      "5m": FIXTURE_T0 + 2 * HOUR + 5 * 60_000,
      "1h": FIXTURE_T0 + 2 * HOUR,
    });
    const last = db
      .prepare(`SELECT max(last_t) AS t FROM rollups WHERE step = ${FIVE_MINUTES}`)
      .get() as { t: number };
    expect(last.t).toBeLessThan(FIXTURE_T0 + 2 * HOUR + 5 * 60_000);
  });

  it("writes the same rows rolling up minute by minute as the data arrives as in one run at the end", () => {
    const few = history.slice(0, 3);
    const once = freshDb();
    writeHistory(once, few);
    new Rollup(once).runNow(LATER);

    const live = freshDb();
    const rollup = new Rollup(live);
    let written = -Infinity;
    for (let now = FIXTURE_T0 + 60_000; now <= LATER; now += 60_000) {
      const slice = few.map((s) => {
        const from = s.t.findIndex((t) => t > written);
        const to = s.t.findIndex((t) => t > now);
        const a = from < 0 ? s.t.length : from;
        const b = to < 0 ? s.t.length : to;
        return { labels: s.labels, t: s.t.subarray(a, b), v: s.v.subarray(a, b) };
      });
      writeHistory(live, slice);
      written = now;
      rollup.runNow(now);
    }
    expect(rollupRows(live)).toEqual(rollupRows(once));
  });

  it("is idempotent: a second run, or one that starts over from the beginning, changes nothing", () => {
    const db = freshDb();
    writeHistory(db, history);
    new Rollup(db).runNow(LATER);
    const rows = rollupRows(db);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Rollup(db).runNow(LATER).points).toEqual({ "5m": 0, "1h": 0 });
    const meta = new Meta(db);
    meta.set(META.done("5m"), FIXTURE_T0);
    meta.set(META.done("1h"), FIXTURE_T0);
    const again = new Rollup(db).runNow(LATER);
    expect(again.points).toEqual({ "5m": 0, "1h": 0 });
    expect(rollupRows(db)).toEqual(rows);
  });

  it("goes on after a crash between batches, or in the middle of one, to the same rows", () => {
    const reference = freshDb();
    writeHistory(reference, history);
    new Rollup(reference).runNow(LATER);

    const dir = fs.mkdtempSync(path.join(path.dirname(reference.name), "crash-"));
    let db = openMetricsDb(dir);
    writeHistory(db, history);
    const first = new Rollup(db, { batchSeries: 2 });
    for (let i = 0; i < 7; i++) expect(first.step(LATER)).toBe(true);
    // The process dies in the middle of the next batch: its transaction never commits.
    const upsert = (first as unknown as { stmt: { upsert: { run: () => void } } }).stmt.upsert;
    const real = upsert.run.bind(upsert);
    let calls = 0;
    upsert.run = (...args: unknown[]) => {
      if (++calls === 2) throw new Error("killed");
      return (real as (...a: unknown[]) => void)(...args);
    };
    expect(() => first.step(LATER)).toThrow("killed");
    db.close();

    db = openMetricsDb(dir);
    expect(new Meta(db).get(META.after("5m"))).toBeGreaterThan(0);
    new Rollup(db, { batchSeries: 2 }).runNow(LATER);
    expect(rollupRows(db)).toEqual(rollupRows(reference));
  });
});
