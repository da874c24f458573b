import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addHistograms, bucketIndex, emptyHistogram, quantile } from "@/lib/histogram";
import { freshDb } from "@/test/db";
import type { HeartbeatMonitorConfig, HttpMonitorConfig } from "@/server/config/schema";
import { SecretValue } from "@/server/config/secret-value";
import type { Db } from "@/server/db";
import { checkResults, incidents, monitorRollups, monitorState } from "@/server/db/schema";
import { monitorSummaries, rangePercentiles } from "@/server/queries/uptime";
import { MonitorEngine } from "./engine";
import { evaluateHeartbeat, heartbeatStatus, recordPing } from "./heartbeat";
import { maintenanceMatcher } from "./maintenance";
import { CheckRecorder, storeChecks, type CheckRecord } from "./recorder";
import { deleteExpired } from "./retention";

let db: Db;
let server: http.Server;
let url: string;
let respond: (res: http.ServerResponse) => void;

beforeEach(async () => {
  db = freshDb();
  respond = (res) => res.end("ok");
  server = http.createServer((_req, res) => respond(res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function httpMonitor(over: Partial<HttpMonitorConfig> = {}): HttpMonitorConfig {
  return {
    id: "api",
    service: "backend",
    environment: "production",
    type: "http",
    url,
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
    badge: false,
    expect: { status: [[200, 299]], keyword: "ok" },
    ...over,
  };
}

async function until(check: () => boolean, what: string, ms = 10_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function runEngine(
  monitors: HttpMonitorConfig[],
  windows: Parameters<MonitorEngine["setMonitors"]>[1] = [],
) {
  const recorder = new CheckRecorder(db, { flushMs: 20 });
  const lateness: number[] = [];
  const engine = new MonitorEngine(db, recorder, {
    isLeader: () => true,
    tickMs: 10,
    onLateness: (ms) => lateness.push(ms),
  });
  engine.setMonitors(monitors, windows);
  recorder.start();
  engine.start();
  return {
    engine,
    lateness,
    stop: async () => {
      await engine.stop();
      recorder.stop();
    },
  };
}

const state = () => db.select().from(monitorState).where(eq(monitorState.monitorId, "api")).get();
const allIncidents = () => db.select().from(incidents).all();

describe("monitor engine against a real HTTP server", () => {
  it("goes up, retries a failure, opens an incident dated from the first failure, closes it on recovery", async () => {
    const run = runEngine([httpMonitor()]);
    try {
      await until(() => state()?.status === "up", "first check");
      respond = (res) => {
        res.statusCode = 503;
        res.end("maintenance");
      };
      await until(() => state()?.status === "pending", "retry");
      await until(() => state()?.status === "down", "down");
      const [incident] = allIncidents();
      const firstFailure = db
        .select()
        .from(checkResults)
        .where(eq(checkResults.retrying, true))
        .get()!;
      expect(incident!.openedAt.getTime()).toBe(firstFailure.at.getTime());
      expect(incident!.cause).toBe("HTTP 503, expected 200-299");
      expect(incident!.closedAt).toBeNull();
      respond = (res) => res.end("ok");
      await until(() => allIncidents()[0]?.closedAt !== null, "incident closed");
      expect(state()!.status).toBe("up");
      expect(allIncidents()).toHaveLength(1);
      expect(run.lateness.length).toBeGreaterThan(3);
    } finally {
      await run.stop();
    }
  });

  it("marks a slow answer degraded, not down", async () => {
    respond = (res) => setTimeout(() => res.end("ok"), 60);
    const run = runEngine([httpMonitor({ expect: { status: [[200, 299]], maxResponseTime: 20 } })]);
    try {
      await until(() => state()?.status === "degraded", "degraded");
      expect(state()!.lastError).toMatch(/over 20 ms/);
      expect(allIncidents()).toHaveLength(0);
    } finally {
      await run.stop();
    }
  });

  it("opens no incident inside a maintenance window and does not count it against uptime", async () => {
    respond = (res) => {
      res.statusCode = 500;
      res.end();
    };
    const window = {
      id: "w",
      monitors: [],
      services: [],
      environments: [],
      timeZone: "UTC",
      start: "2000-01-01T00:00:00Z",
      end: "2100-01-01T00:00:00Z",
    };
    const run = runEngine([httpMonitor({ retries: 0 })], [window]);
    try {
      await until(() => db.select().from(checkResults).all().length >= 3, "three checks");
    } finally {
      await run.stop();
    }
    expect(allIncidents()).toHaveLength(0);
    const minute = db
      .select()
      .from(monitorRollups)
      .where(eq(monitorRollups.resolution, "minute"))
      .all();
    expect(minute.reduce((n, r) => n + r.maintenance, 0)).toBeGreaterThanOrEqual(3);
    expect(minute.reduce((n, r) => n + r.down, 0)).toBe(0);
    expect(monitorSummaries(db, [httpMonitor()])[0]!.uptime["24h"]).toBeNull();
  });

  it("resumes after a restart without duplicating the incident", async () => {
    respond = (res) => res.destroy();
    let run = runEngine([httpMonitor({ retries: 0 })]);
    await until(() => state()?.status === "down", "down");
    await run.stop();
    run = runEngine([httpMonitor({ retries: 0 })]);
    await until(
      () => db.select().from(checkResults).all().length >= 4,
      "more checks after restart",
    );
    await run.stop();
    expect(allIncidents()).toHaveLength(1);
    expect(allIncidents()[0]!.failedChecks).toBeGreaterThanOrEqual(4);
  });
});

function record(
  at: number,
  status: "up" | "degraded" | "down",
  responseMs: number | null,
): CheckRecord {
  return {
    monitorId: "api",
    at,
    result: {
      status,
      responseMs,
      statusCode: 200,
      error: status === "down" ? "x" : null,
      tlsDaysLeft: null,
    },
    maintenance: false,
    retrying: false,
    memory: {
      status,
      consecutiveFailures: 0,
      failingSince: null,
      firstError: null,
      incidentOpen: false,
    },
    incident: null,
    statusChanged: false,
  };
}

describe("rollups", () => {
  const t0 = Date.parse("2026-11-27T10:00:00Z");

  it("count every check once per minute, hour and day, in 64-bit integers", () => {
    storeChecks(db, [
      record(t0, "up", 100),
      record(t0 + 30_000, "down", null),
      record(t0 + 61_000, "degraded", 900),
    ]);
    storeChecks(db, [record(t0 + 3_600_000, "up", 50)]);
    const rows = db.select().from(monitorRollups).all();
    const sum = (res: string, f: "up" | "down" | "degraded") =>
      rows.filter((r) => r.resolution === res).reduce((n, r) => n + r[f], 0);
    for (const res of ["minute", "hour", "day"]) {
      expect([sum(res, "up"), sum(res, "degraded"), sum(res, "down")]).toEqual([2, 1, 1]);
    }
    expect(rows.filter((r) => r.resolution === "minute")).toHaveLength(3);
    expect(rows.filter((r) => r.resolution === "hour")).toHaveLength(2);
    const day = rows.find((r) => r.resolution === "day")!;
    expect([day.respCount, day.respSum, day.respMin, day.respMax]).toEqual([3, 1050, 50, 900]);
    // Counters are not small ints: they take values past 2^31.
    db.update(monitorRollups)
      .set({ up: 2 ** 40 })
      .where(eq(monitorRollups.resolution, "day"))
      .run();
    storeChecks(db, [record(t0, "up", 10)]);
    expect(
      db.select().from(monitorRollups).where(eq(monitorRollups.resolution, "day")).get()!.up,
    ).toBe(2 ** 40 + 1);
  });

  it("merges latency histograms across buckets into the same percentiles as one histogram", () => {
    const values = Array.from({ length: 600 }, (_, i) => 20 + ((i * 37) % 700));
    storeChecks(
      db,
      values.map((v, i) => record(t0 + i * 20_000, "up", v)),
    );
    const merged = rangePercentiles(db, "api", "minute", t0);
    const whole = addHistograms(
      emptyHistogram(),
      values.reduce((h, v) => (h[bucketIndex(v)]!++, h), emptyHistogram()),
    );
    const bounds = { min: Math.min(...values), max: Math.max(...values) };
    expect(merged.p50).toBe(quantile(whole, 0.5, bounds));
    expect(merged.p95).toBe(quantile(whole, 0.95, bounds));
    expect(rangePercentiles(db, "api", "hour", t0).p95).toBe(merged.p95);
    expect(rangePercentiles(db, "api", "day", t0 - 86_400_000).p99).toBe(merged.p99);
  });

  it("a clock that jumps back files checks under earlier buckets without losing or doubling any", () => {
    storeChecks(db, [
      record(t0, "up", 10),
      record(t0 - 2 * 3_600_000, "up", 10),
      record(t0 + 5_000, "up", 10),
    ]);
    const minutes = db
      .select()
      .from(monitorRollups)
      .where(eq(monitorRollups.resolution, "minute"))
      .all();
    expect(minutes.reduce((n, r) => n + r.up, 0)).toBe(3);
    expect(db.select().from(checkResults).all()).toHaveLength(3);
  });

  it("retention deletes expired raw checks and minute/hour rollups, keeps day rollups", async () => {
    const now = Date.parse("2026-11-27T00:00:00Z");
    const day = 86_400_000;
    storeChecks(db, [
      record(now - 500 * day, "up", 10),
      record(now - 20 * day, "up", 10),
      record(now - 2 * day, "up", 10),
    ]);
    const deleted = await deleteExpired(
      db,
      { raw: 7 * day, minute: 14 * day, hour: 400 * day },
      now,
    );
    expect(deleted).toEqual({ raw: 2, minute: 2, hour: 1 });
    expect(
      db.select().from(monitorRollups).where(eq(monitorRollups.resolution, "day")).all(),
    ).toHaveLength(3);
  });
});

describe("heartbeat monitors", () => {
  const hb: HeartbeatMonitorConfig = {
    id: "api",
    service: "backend",
    environment: "production",
    type: "heartbeat",
    token: new SecretValue("t".repeat(20)),
    period: 60 * 60_000,
    grace: 10 * 60_000,
    interval: 60_000,
    retries: 0,
    retryInterval: 20_000,
    paused: false,
    badge: false,
  };
  const none = maintenanceMatcher([]);
  const t0 = Date.parse("2026-11-27T10:00:00Z");

  it("walks new → up → late → down (incident) → up (closed), and /fail is down at once", () => {
    expect(heartbeatStatus(hb, state(), t0)).toBe("new");
    recordPing(db, hb, { kind: "start" }, t0 - 5_000, none);
    recordPing(db, hb, { kind: "success", sizeBytes: 1234 }, t0, none);
    expect(state()!.status).toBe("up");
    expect(db.select().from(checkResults).get()).toMatchObject({
      status: "up",
      responseMs: 5000,
      detail: { sizeBytes: 1234 },
    });
    evaluateHeartbeat(db, hb, t0 + 65 * 60_000, none);
    expect(state()!.status).toBe("late");
    expect(allIncidents()).toHaveLength(0);
    evaluateHeartbeat(db, hb, t0 + 71 * 60_000, none);
    expect(state()!.status).toBe("down");
    expect(allIncidents()[0]!.cause).toMatch(
      /^no ping for 1h 11m \(expected every 1h, grace 10m\)/,
    );
    evaluateHeartbeat(db, hb, t0 + 71 * 60_000 + 1_000, none);
    expect(db.select().from(checkResults).all()).toHaveLength(2);
    recordPing(db, hb, { kind: "success" }, t0 + 80 * 60_000, none);
    expect(state()!.status).toBe("up");
    expect(allIncidents()[0]!.closedAt).not.toBeNull();
    recordPing(db, hb, { kind: "fail", message: "disk full" }, t0 + 90 * 60_000, none);
    expect(state()!.status).toBe("down");
    expect(allIncidents()[1]!.cause).toBe("job failed: disk full");
  });
});
