import { beforeEach, describe, expect, it } from "vitest";
import { formatUptime } from "@/lib/uptime";
import { freshDb } from "@/test/db";
import type { HeartbeatMonitorConfig, HttpMonitorConfig } from "@/server/config/schema";
import { SecretValue } from "@/server/config/secret-value";
import type { Db } from "@/server/db";
import {
  dailyUptime,
  monitorSummaries,
  rangeFigures,
  responseSeries,
} from "@/server/queries/uptime";
import { recordPing } from "./heartbeat";
import { maintenanceMatcher } from "./maintenance";
import type { ProbeResult } from "./probes/types";
import { loadMemory, storeChecks } from "./recorder";
import { applyResult } from "./transitions";

let db: Db;
beforeEach(() => {
  db = freshDb();
});

const MIN = 60_000;
const t0 = Date.parse("2026-11-30T10:00:00Z");

const monitor: HttpMonitorConfig = {
  id: "api",
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
  interval: 60,
  retries: 1,
  retryInterval: 30,
  paused: false,
  badge: true,
  expect: { status: [[200, 299]], keyword: "ok" },
};

/** Runs checks through the same transition and recorder the engine uses. */
function check(atMin: number, status: ProbeResult["status"], responseMs: number) {
  const at = t0 + atMin * MIN;
  const { memory } = loadMemory(db, monitor.id);
  const result: ProbeResult = {
    status,
    responseMs,
    statusCode: status === "down" ? 500 : 200,
    error: status === "down" ? "HTTP 500, expected 200-299" : null,
    tlsDaysLeft: null,
  };
  const t = applyResult(memory, result, { retries: monitor.retries, at, inMaintenance: false });
  storeChecks(db, [
    {
      monitorId: monitor.id,
      at,
      result,
      maintenance: false,
      retrying: t.retrying,
      memory: t.next,
      incident: t.incident,
      statusChanged: memory.status !== t.next.status,
    },
  ]);
}

/**
 * A worked history, one check a minute (retries 30 s after a failure):
 * 00–04 up; 05 fails and 05:30 answers (inside the retry budget: not downtime);
 * 06–09 up; 10 fails, 10:30 fails again (down: the incident dates from 10), 11–17 down,
 * failing fast (3 ms); 18 up again; 19–25 up. Down for 8 of 25 minutes: 68 %.
 */
function workedHistory() {
  for (let m = 0; m <= 4; m++) check(m, "up", 200);
  check(5, "down", 3);
  check(5.5, "up", 200);
  for (let m = 6; m <= 9; m++) check(m, "up", 200);
  check(10, "down", 3);
  check(10.5, "down", 3);
  for (let m = 11; m <= 17; m++) check(m, "down", 3);
  for (let m = 18; m <= 25; m++) check(m, "up", 200);
}

describe("uptime over a window", () => {
  it("counts time, not checks: down from the first failed check to the next good one, retries not down", () => {
    workedHistory();
    const now = t0 + 25 * MIN;
    const [s] = monitorSummaries(db, [monitor], now);
    expect(s!.uptime["24h"]).toBeCloseTo(17 / 25, 10);
    expect(formatUptime(s!.uptime["24h"])).toBe("68.00%");
    // Between checks the figure holds still: pages read a moment apart agree.
    expect(monitorSummaries(db, [monitor], now + 40_000)[0]!.uptime).toEqual(s!.uptime);
    // The monitor is 25 minutes old: every window counts from its first check, and says so.
    for (const w of ["24h", "7d", "30d", "90d"] as const) {
      expect(s!.uptime[w]).toBeCloseTo(17 / 25, 10);
      expect(s!.uptimeSince[w]).toBe(new Date(t0).toISOString());
    }
  });

  it("is the same number on the monitor page's 24 h figure, and counts only the window's time", () => {
    workedHistory();
    const now = t0 + 25 * MIN;
    const [s] = monitorSummaries(db, [monitor], now);
    expect(rangeFigures(db, monitor, "24h", now).uptime).toBe(s!.uptime["24h"]);
    // The last hour holds all 25 minutes too.
    expect(rangeFigures(db, monitor, "1h", now).uptime).toBe(s!.uptime["24h"]);
    // Two days later the outage has left the 24 h window but not the 7 d one.
    const later = t0 + 2 * 1440 * MIN;
    check(2 * 1440, "up", 200);
    const [l] = monitorSummaries(db, [monitor], later);
    expect(l!.uptime["24h"]).toBe(1);
    // The 7 d figure holds from the first check to the last one.
    expect(l!.uptimeSince["24h"]).toBeNull();
    expect(l!.uptime["7d"]).toBeCloseTo(1 - 8 / (2 * 1440), 10);
    expect(l!.uptimeSince["7d"]).toBe(new Date(t0).toISOString());
    expect(rangeFigures(db, monitor, "7d", later).uptime).toBe(l!.uptime["7d"]);
  });

  it("the day bar of the outage's day is time-weighted too", () => {
    workedHistory();
    const now = t0 + 25 * MIN;
    const bars = dailyUptime(db, monitor, 90, now);
    expect(bars.at(-1)!.uptime).toBeCloseTo(17 / 25, 10);
    expect(bars.at(-2)!.uptime).toBeNull();
  });
});

describe("response-time series", () => {
  it("leaves failed checks out of latency and returns the outage as a band", () => {
    workedHistory();
    const now = t0 + 25 * MIN;
    const { points, bands } = responseSeries(db, monitor.id, "1h", now);
    // The 3 ms failures are not averaged in: every percentile is the 200 ms answers.
    const p50s = points.map((p) => p.p50).filter((v) => v !== null);
    expect(p50s.length).toBeGreaterThan(0);
    expect(Math.min(...p50s)).toBeGreaterThanOrEqual(150);
    expect(rangeFigures(db, monitor, "1h", now).p50).toBeGreaterThanOrEqual(150);
    // Minutes 11–17 had no successful check: no latency there, not a 3 ms dip.
    expect(points.find((p) => p.t === t0 + 12 * MIN)?.p50 ?? null).toBeNull();
    expect(bands).toEqual([{ from: t0 + 10 * MIN, to: t0 + 18 * MIN, open: false }]);
  });

  it("an open incident's band runs to now", () => {
    for (let m = 0; m <= 4; m++) check(m, "up", 200);
    check(5, "down", 3);
    check(5.5, "down", 3);
    const now = t0 + 9 * MIN;
    expect(responseSeries(db, monitor.id, "1h", now).bands).toEqual([
      { from: t0 + 5 * MIN, to: now, open: true },
    ]);
  });
});

describe("heartbeat summaries", () => {
  const hb: HeartbeatMonitorConfig = {
    id: "nightly",
    service: "backups",
    environment: "production",
    type: "heartbeat",
    token: new SecretValue("hb-token-0123456789abcdef0123"),
    period: 3_600_000,
    grace: 600_000,
    interval: 60_000,
    retries: 0,
    retryInterval: 60_000,
    paused: false,
    badge: false,
  };

  it("has no p95: a job's run time is not a response time", () => {
    const none = maintenanceMatcher([]);
    recordPing(db, hb, { kind: "start" }, t0 - 120_000, none);
    recordPing(db, hb, { kind: "success" }, t0, none);
    const [s] = monitorSummaries(db, [hb], t0 + MIN);
    expect(s!.lastResponseMs).toBe(120_000);
    expect(s!.p95Ms24h).toBeNull();
    expect(s!.uptime["24h"]).toBe(1);
  });
});
