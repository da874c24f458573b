import { beforeEach, describe, expect, it } from "vitest";
import { BUCKETS, quantile } from "@/lib/histogram";
import { freshDb } from "@/test/db";
import type { HttpMonitorConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { loadMemory, storeChecks, type CheckRecord } from "@/server/monitors/recorder";
import type { ProbeResult } from "@/server/monitors/probes/types";
import { applyResult } from "@/server/monitors/transitions";
import { UPTIME_WINDOWS, type UptimeWindow } from "@/lib/uptime";
import { monitorSummaries, monitorUptime } from "./uptime";

let db: Db;
beforeEach(() => {
  db = freshDb();
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const t0 = Date.parse("2026-11-28T00:00:00Z");

const monitor = (id: string): HttpMonitorConfig => ({
  id,
  service: "backend",
  environment: "production",
  type: "http",
  url: "http://127.0.0.1:9/health",
  method: "GET",
  headers: {},
  timeout: 2000,
  followRedirects: true,
  maxRedirects: 5,
  ignoreTlsErrors: false,
  tlsWarnDays: 21,
  interval: 300,
  retries: 1,
  retryInterval: 30,
  paused: false,
  badge: true,
  expect: { status: [[200, 299]], keyword: "ok" },
});

/** The 24 h p95 as it was computed before monitor_recent_hours: one seek per monitor into the hour rollups. */
function p95FromRollups(id: string, now: number): number | null {
  const from24 = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
  const hist = Array.from({ length: BUCKETS }, (_, i) => `sum(h${i}) as h${i}`).join(", ");
  const row = db.$client
    .prepare(
      `select min(resp_min) as min24, max(resp_max) as max24, ${hist}
       from monitor_rollups where monitor_id = ? and resolution = 'hour' and bucket >= ?`,
    )
    .get(id, from24) as Record<string, number | null>;
  const h = Array.from({ length: BUCKETS }, (_, i) => row[`h${i}`] ?? 0);
  const q = quantile(h, 0.95, { min: row.min24, max: row.max24 });
  return q === null ? null : Math.round(q);
}

/** mulberry32, so the history is the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Three days of checks every 5 min for `ids`, through the engine's own transition and
 * recorder, in batches of a few checks (as the recorder flushes them): latencies spread
 * over the histogram, ~3 % failures, some monitors silent for the last day.
 */
const STEPS = (3 * 24 * HOUR) / (5 * MIN);
function generate(
  ids: string[],
  random = rng(7),
  from = 0,
  to = STEPS,
  downAt: (n: number, k: number) => boolean = () => random() < 0.03,
) {
  const steps = STEPS;
  for (let k = from; k < to; k++) {
    const batch: CheckRecord[] = [];
    for (const [n, id] of ids.entries()) {
      // The last monitor stops being checked after the first day.
      if (n === ids.length - 1 && k > steps / 3) continue;
      const at = t0 + k * 5 * MIN + n * 1000;
      const down = downAt(n, k);
      const result: ProbeResult = {
        status: down ? "down" : random() < 0.05 ? "degraded" : "up",
        responseMs: down ? null : Math.round(5 + random() ** 3 * 4000),
        statusCode: down ? 503 : 200,
        error: down ? "HTTP 503, expected 200-299" : null,
        tlsDaysLeft: null,
      };
      const { memory } = loadMemory(db, id);
      const t = applyResult(memory, result, { retries: 1, at, inMaintenance: false });
      batch.push({
        monitorId: id,
        at,
        result,
        maintenance: false,
        retrying: t.retrying,
        memory: t.next,
        incident: t.incident,
        statusChanged: memory.status !== t.next.status,
      });
    }
    storeChecks(db, batch);
  }
}

describe("the 24 h percentiles from monitor_recent_hours", () => {
  const ids = ["a", "b", "c", "d", "e"];
  const monitors = ids.map(monitor);

  it("are the numbers the hour rollups give, for every monitor, while history grows", () => {
    const random = rng(7);
    let compared = 0;
    // The pages read at "now": after the newest check, up to a day or more later.
    const compare = (end: number) => {
      for (const now of [end, end + 7 * MIN, end + 90 * MIN, end + 20 * HOUR, end + 30 * HOUR]) {
        const all = monitorSummaries(db, monitors, now);
        for (const s of all) {
          expect(s.p95Ms24h, `${s.id} at ${new Date(now).toISOString()}`).toBe(
            p95FromRollups(s.id, now),
          );
          if (s.p95Ms24h !== null) compared++;
          // One monitor read alone (the monitor page) gives the same figures as the list.
          const [one] = monitorSummaries(
            db,
            monitors.filter((m) => m.id === s.id),
            now,
          );
          expect(one).toEqual(s);
        }
      }
    };
    for (const [from, to] of [
      [0, 100],
      [100, 450],
      [450, 451],
      [451, STEPS],
    ] as const) {
      generate(ids, random, from, to);
      compare(t0 + to * 5 * MIN);
    }
    expect(compared).toBeGreaterThan(60);
  });

  it("are re-read after a check, for the monitors checked, when many monitors are read", () => {
    // More monitors than the point-read limit: the first read scans them all; after a
    // few monitors are checked again, only those are re-read, and nothing is stale.
    const many = Array.from({ length: 80 }, (_, i) => `m${i}`);
    const all = many.map(monitor);
    const check = (now: number) => {
      for (const s of monitorSummaries(db, all, now)) {
        expect(s.p95Ms24h, s.id).toBe(p95FromRollups(s.id, now));
      }
    };
    const random = rng(11);
    generate(many, random, 0, 12);
    check(t0 + 12 * 5 * MIN);
    const before = monitorSummaries(db, all, t0 + 12 * 5 * MIN);
    // Within the same hour, so the window has not moved.
    const later = t0 + 23 * 5 * MIN + 5000;
    generate(many.slice(0, 3), random, 12, 23);
    check(later);
    const after = monitorSummaries(db, all, later);
    // The monitors not checked since are the same; the checked ones moved.
    expect(after.slice(3).map((s) => s.p95Ms24h)).toEqual(before.slice(3).map((s) => s.p95Ms24h));
    expect(after.slice(0, 3).map((s) => s.p95Ms24h)).not.toEqual(
      before.slice(0, 3).map((s) => s.p95Ms24h),
    );
  });

  it("keep only the last 25 hours, so the table does not grow with history", () => {
    generate(ids);
    const row = db.$client
      .prepare("select count(*) as n, min(bucket) as oldest from monitor_recent_hours")
      .get() as { n: number; oldest: number };
    const newest = Math.floor((t0 + 3 * 24 * HOUR - 5 * MIN) / HOUR) * HOUR;
    expect(row.oldest).toBe(newest - 24 * HOUR);
    // Four monitors still checked, 25 hours each; the silent one's rows have gone.
    expect(row.n).toBe(4 * 25);
    // A monitor with no recent checks has no 24 h percentile, as before.
    const silent = monitorSummaries(db, monitors, t0 + 3 * 24 * HOUR).at(-1)!;
    expect(silent.p95Ms24h).toBeNull();
    expect(p95FromRollups(silent.id, t0 + 3 * 24 * HOUR)).toBeNull();
  });
});

describe("the uptime windows of many monitors", () => {
  const ids = ["p", "q", "r", "s"];
  const monitors = ids.map(monitor);

  it("follow every incident that opens and closes: each poll equals a fresh read of that monitor", () => {
    const random = rng(11);
    let opened = 0;
    let compared = 0;
    for (let k = 0; k < STEPS / 3; k++) {
      // Each monitor fails 4 checks in a row every 40: an incident opens, then closes.
      generate(ids, random, k, k + 1, (n, step) => (step + n * 7) % 40 < 4);
      const now = t0 + k * 5 * MIN + 30_000;
      const polled = monitorSummaries(db, monitors, now);
      if (k % 4 !== 0) continue; // every fourth step: the cached path must still be right
      for (const [i, m] of monitors.entries()) {
        for (const w of Object.keys(UPTIME_WINDOWS) as UptimeWindow[]) {
          expect(polled[i]!.uptime[w], `${m.id} ${w} at step ${k}`).toBe(
            monitorUptime(db, m, UPTIME_WINDOWS[w], now).ratio,
          );
          compared++;
        }
      }
      opened = Number(
        (db.$client.prepare("select count(*) as n from incidents").get() as { n: number }).n,
      );
    }
    // The data did exercise it: incidents opened and closed along the way.
    expect(opened).toBeGreaterThan(3);
    expect(compared).toBeGreaterThan(1000);
  });
});
