import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { makeUser } from "@/test/callers";
import { overallState, serviceState } from "@/lib/status-page";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { alerts } from "@/server/db/schema";
import { loadMemory, storeChecks } from "@/server/monitors/recorder";
import type { ProbeResult } from "@/server/monitors/probes/types";
import { applyResult } from "@/server/monitors/transitions";
import { postStatusUpdate } from "@/server/services/status/post-status-update";
import { buildStatusPage, cachedStatusPage, statusPageBySlug } from "./status-page";
import { dailyUptime, monitorSummaries } from "./uptime";

const MIN = 60_000;
const DAY = 86_400_000;
const t0 = Date.parse("2026-11-30T10:00:00Z");
const SECRET_URL = "http://internal-api.corp.example:8443/health?token=abc";

const YAML = `
environments: [{ id: production, name: Production }, { id: staging, name: Staging }]
services:
  - { id: api, name: Public API, environments: { production: { url: "http://127.0.0.1:1" } } }
  - { id: worker, name: Background jobs, environments: { production: { url: "http://127.0.0.1:2" } } }
  - { id: admin, name: Admin tool, environments: { production: { url: "http://127.0.0.1:3" } } }
monitors:
  - { id: api-health-internal, service: api, environment: production, type: http, url: "${SECRET_URL}", retries: 0 }
  - { id: api-staging, service: api, environment: staging, type: http, url: "http://staging.corp.example/health", retries: 0 }
  - { id: worker-port, service: worker, environment: production, type: tcp, host: 10.1.2.3, port: 6379, retries: 0 }
statusPages:
  - { id: public, path: navi, title: Navi status, description: How Navi is doing., services: [api, worker], environment: production, cacheSeconds: 30 }
`;

let db: Db;
let config: OpsdeckConfig;
beforeEach(() => {
  db = freshDb();
  config = parseConfigText(YAML, "test.yaml", () => undefined);
  setConfigForTests(config);
});

function check(monitorId: string, at: number, status: ProbeResult["status"]) {
  const { memory } = loadMemory(db, monitorId);
  const result: ProbeResult = {
    status,
    responseMs: status === "down" ? 3 : 120,
    statusCode: status === "down" ? 503 : 200,
    error: status === "down" ? "connect ECONNREFUSED 10.1.2.3:6379 secret-error-text" : null,
    tlsDaysLeft: null,
  };
  const t = applyResult(memory, result, { retries: 0, at, inMaintenance: false });
  storeChecks(db, [
    {
      monitorId,
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

function alertOn(service: string, environment = "production") {
  return db
    .insert(alerts)
    .values({
      ruleId: "internal-rule-api-db-pool",
      fingerprint: `service=${service}`,
      labels: { alertname: "internal-rule-api-db-pool", service, environment },
      severity: "critical",
      summary: "db pool exhausted on api-1.corp",
      state: "firing",
      activeAt: new Date(t0),
      lastActiveAt: new Date(t0),
      firedAt: new Date(t0),
    })
    .returning()
    .get();
}

describe("overall state", () => {
  it("follows Statuspage's rules", () => {
    expect(overallState(["operational", "operational"])).toBe("operational");
    expect(overallState(["operational", "degraded"])).toBe("degraded");
    expect(overallState(["operational", "down", "degraded"])).toBe("partial");
    expect(overallState(["down", "down"])).toBe("major");
    expect(overallState(["down", "unknown"])).toBe("major");
    expect(overallState(["operational", "unknown"])).toBe("operational");
    expect(overallState(["unknown"])).toBe("unknown");
  });

  it("a service is its worst monitor; paused or new ones carry no signal", () => {
    expect(serviceState(["up", "down"])).toBe("down");
    expect(serviceState(["up", "late"])).toBe("down");
    expect(serviceState(["up", "pending"])).toBe("degraded");
    expect(serviceState(["up", "paused"])).toBe("operational");
    expect(serviceState(["paused", "new"])).toBe("unknown");
    expect(serviceState([])).toBe("unknown");
  });
});

describe("a public status page", () => {
  it("shows each service with 90 day bars and the same 90 d figure as the uptime pages", () => {
    for (let m = 0; m <= 20; m++)
      check("api-health-internal", t0 + m * MIN, m >= 10 && m < 15 ? "down" : "up");
    for (let m = 0; m <= 20; m++) check("worker-port", t0 + m * MIN, "up");
    const now = t0 + 20 * MIN;
    const page = buildStatusPage(db, config, statusPageBySlug(config, "navi")!, now);
    expect(page.title).toBe("Navi status");
    expect(page.state).toBe("operational");
    expect(page.headline).toBe("All systems operational");
    expect(page.services.map((s) => [s.name, s.state])).toEqual([
      ["Public API", "operational"],
      ["Background jobs", "operational"],
    ]);
    const api = page.services[0]!;
    expect(api.days).toHaveLength(90);
    expect(api.days.at(-1)!.day).toBe("2026-11-30");
    expect(api.days.at(-90)!.day).toBe(new Date(t0 - 89 * DAY).toISOString().slice(0, 10));
    const monitor = config.monitors.find((m) => m.id === "api-health-internal")!;
    // The same functions as the monitor page and the badge: the same numbers.
    expect(api.days.at(-1)!.uptime).toBe(dailyUptime(db, monitor, 90, now).at(-1)!.uptime);
    expect(api.uptime90d).toBe(monitorSummaries(db, [monitor], now)[0]!.uptime["90d"]);
    expect(api.uptime90d).toBeCloseTo(15 / 20, 10);
    expect(api.days.at(-2)!.uptime).toBeNull();
  });

  it("is a partial outage when one service is down, a major one when all are; staging does not count", () => {
    check("api-staging", t0, "down");
    check("api-health-internal", t0, "up");
    check("worker-port", t0, "down");
    const page = () => buildStatusPage(db, config, statusPageBySlug(config, "navi")!, t0 + MIN);
    expect(page().state).toBe("partial");
    expect(page().headline).toBe("Partial outage");
    check("api-health-internal", t0 + MIN, "down");
    expect(page().state).toBe("major");
    expect(page().headline).toBe("Major outage");
  });

  it("lists incidents with their public updates, newest first, and nothing internal", async () => {
    check("api-health-internal", t0, "down");
    check("worker-port", t0, "up");
    const operator = await makeUser(db, "operator", "oncall.person@example.com");
    const actor = { kind: "user" as const, ...operator };
    const alert = alertOn("api");
    await postStatusUpdate(
      { actor, db },
      {
        alertId: alert.id,
        status: "investigating",
        title: "Sign-in failures",
        message: "We are looking into it.",
      },
    );
    await postStatusUpdate(
      { actor, db },
      { alertId: alert.id, status: "identified", message: "A database change; rolling back." },
    );
    const resolvedAlert = alertOn("worker");
    await postStatusUpdate(
      { actor, db },
      {
        alertId: resolvedAlert.id,
        status: "resolved",
        title: "Slow notifications",
        message: "Fixed.",
      },
    );
    const page = buildStatusPage(db, config, statusPageBySlug(config, "navi")!, Date.now());
    expect(page.state).toBe("partial");
    expect(page.openIncidents).toMatchObject([
      {
        title: "Sign-in failures",
        status: "identified",
        services: ["Public API"],
        updates: [
          { status: "identified", message: "A database change; rolling back." },
          { status: "investigating", message: "We are looking into it." },
        ],
      },
    ]);
    expect(page.resolvedIncidents).toMatchObject([
      { title: "Slow notifications", status: "resolved", services: ["Background jobs"] },
    ]);
    // Fifteen days later the resolved one has left the page; the open one stays.
    const later = buildStatusPage(
      db,
      config,
      statusPageBySlug(config, "navi")!,
      Date.now() + 15 * DAY,
    );
    expect(later.resolvedIncidents).toEqual([]);
    expect(later.openIncidents).toHaveLength(1);

    const text = JSON.stringify(page);
    for (const secret of [
      SECRET_URL,
      "internal-api.corp.example",
      "10.1.2.3",
      "6379",
      "secret-error-text",
      "ECONNREFUSED",
      "api-health-internal",
      "worker-port",
      "api-staging",
      "internal-rule-api-db-pool",
      "db pool exhausted",
      "oncall.person@example.com",
      "Admin tool",
    ])
      expect(text, `the public page leaks "${secret}"`).not.toContain(secret);
  });

  it("is cached per slug for its cacheSeconds; an unknown slug is null", async () => {
    expect(cachedStatusPage("nope")).toBeNull();
    const first = cachedStatusPage("navi", t0)!;
    check("api-health-internal", t0, "down");
    expect(cachedStatusPage("navi", t0 + 29_000)).toBe(first);
    const fresh = cachedStatusPage("navi", t0 + 31_000)!;
    expect(fresh).not.toBe(first);
    expect(fresh.services[0]!.state).toBe("down");
  });
});
