import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { fingerprint, parseMatcher, type Matcher } from "@/lib/alerts/matchers";
import { freshDb } from "@/test/db";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import {
  alerts,
  alertTransitions,
  incidents,
  monitorRollups,
  notifications,
  silences,
} from "@/server/db/schema";
import { dispatch } from "./dispatch";
import { evaluateRules } from "./evaluate";
import { inhibitedIds, planGroup, silencedBy } from "./notify-policy";
import type { NotificationPayload } from "./payload";
import { buildRouteTree, groupOf, matchRoutes } from "./routing";
import { stepAlert, type Episode } from "./state";

const m = (text: string) => parseMatcher(text) as Matcher;

describe("matchers", () => {
  it("parses Alertmanager's syntax and explains what it cannot parse", () => {
    expect(parseMatcher("severity=critical")).toEqual({
      name: "severity",
      op: "=",
      value: "critical",
    });
    expect(parseMatcher('service=~"api|web"')).toEqual({
      name: "service",
      op: "=~",
      value: "api|web",
    });
    expect(parseMatcher("env!=staging")).toMatchObject({ op: "!=" });
    expect(parseMatcher("x=~(")).toMatch(/not a valid regular expression/);
    expect(parseMatcher("no operator")).toMatch(/expected a matcher/);
  });

  it("gives the same fingerprint to the same labels in any order", () => {
    expect(fingerprint({ a: "1", b: "2" })).toBe(fingerprint({ b: "2", a: "1" }));
    expect(fingerprint({ a: "1" })).not.toBe(fingerprint({ a: "2" }));
  });
});

describe("state machine", () => {
  const t = { forMs: 60_000, keepFiringForMs: 30_000 };

  it("stays pending until `for` has passed, then fires", () => {
    const start = stepAlert(null, true, 0, t);
    expect(start).toMatchObject({ kind: "start", to: "pending" });
    const ep = (start as { episode: Episode }).episode;
    expect(stepAlert(ep, true, 59_999, t).kind).toBe("touch");
    const fired = stepAlert(ep, true, 60_000, t);
    expect(fired).toMatchObject({ kind: "fire", episode: { state: "firing", firedAt: 60_000 } });
  });

  it("a pending alert that clears never fired: inactive, not resolved", () => {
    const ep: Episode = { state: "pending", activeAt: 0, lastActiveAt: 10_000, firedAt: null };
    expect(stepAlert(ep, false, 20_000, t)).toMatchObject({ kind: "clear", to: "inactive" });
  });

  it("fires at once with for: 0", () => {
    expect(stepAlert(null, true, 5, { forMs: 0, keepFiringForMs: 0 })).toMatchObject({
      kind: "start",
      to: "firing",
      episode: { firedAt: 5 },
    });
  });

  it("keeps firing for keepFiringFor after the condition clears, and a return within it is no new alert", () => {
    const ep: Episode = { state: "firing", activeAt: 0, lastActiveAt: 100_000, firedAt: 60_000 };
    expect(stepAlert(ep, false, 110_000, t).kind).toBe("none");
    expect(stepAlert(ep, true, 120_000, t).kind).toBe("touch");
    expect(stepAlert(ep, false, 130_000, t)).toMatchObject({ kind: "resolve", to: "resolved" });
  });
});

const ROUTES = `
alerts:
  channels:
    - { id: slack, type: slack, webhookUrl: "\${SLACK}" }
    - { id: pager, type: webhook, url: "http://127.0.0.1:9/hook", secret: "\${HOOK_SECRET}" }
    - { id: mail, type: email, from: "opsdeck@example.com", to: [ops@example.com], smtp: { host: 127.0.0.1, port: 2525 } }
  route:
    channels: [slack]
    groupBy: [alertname, service, environment]
    routes:
      - { matchers: [severity=critical], channels: [pager, slack], continue: true }
      - { matchers: [severity=critical], channels: [mail] }
      - { matchers: [severity=info], channels: [mail], digest: true }
      - matchers: ["service=~web|api"]
        groupWait: 5s
        routes:
          - { matchers: [environment=staging], channels: [mail] }
`;

const BASE = `
environments: [{ id: production, name: Production }, { id: staging, name: Staging }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" }, staging: { url: "http://127.0.0.1:2" } } }
  - { id: web, name: Web, environments: { production: { url: "http://127.0.0.1:3" } } }
monitors:
  - { id: backend-health, service: backend, environment: production, type: http, url: "http://127.0.0.1:1/health" }
  - { id: backend-staging, service: backend, environment: staging, type: http, url: "http://127.0.0.1:2/health" }
  - { id: web-health, service: web, environment: production, type: http, url: "http://127.0.0.1:3/" }
  - { id: nightly, service: backend, environment: production, type: heartbeat, token: "\${HB}" }
`;

const env: Record<string, string> = {
  SLACK: "http://127.0.0.1:9/slack/x",
  HOOK_SECRET: "hook-secret-0123456789abcdef0123456789",
  HB: "heartbeat-token-0123456789abcdef0123",
};
function config(extra: string): OpsdeckConfig {
  return parseConfigText(BASE + extra, "test.yaml", (k) => env[k]);
}

describe("routing", () => {
  const tree = buildRouteTree(config(ROUTES).alerts.route);
  const ids = (labels: Record<string, string>) => matchRoutes(tree, labels).map((r) => r.id);

  it("walks the tree: first match wins, continue goes on, the parent takes what no child does", () => {
    expect(ids({ severity: "critical", service: "backend" })).toEqual([
      "root/{severity=critical}",
      "root/{severity=critical}#1",
    ]);
    expect(ids({ severity: "warning", service: "backend" })).toEqual(["root"]);
    expect(ids({ severity: "info" })).toEqual(["root/{severity=info}"]);
    expect(ids({ severity: "warning", service: "web", environment: "staging" })).toEqual([
      'root/{service=~"web|api"}/{environment=staging}',
    ]);
    expect(ids({ severity: "warning", service: "api", environment: "production" })).toEqual([
      'root/{service=~"web|api"}',
    ]);
  });

  it("children inherit what they do not set", () => {
    const staging = matchRoutes(tree, { service: "web", environment: "staging" })[0]!;
    expect(staging.groupWait).toBe(5_000);
    expect(staging.channels).toEqual(["mail"]);
    expect(staging.repeatInterval).toBe(4 * 3_600_000);
    expect(tree.groupWait).toBe(30_000);
  });

  it("groups by the route's labels", () => {
    const a = groupOf(tree, { alertname: "x", service: "s", environment: "e", monitor: "1" });
    const b = groupOf(tree, { alertname: "x", service: "s", environment: "e", monitor: "2" });
    expect(a.key).toBe(b.key);
    expect(a.labels).toEqual({ alertname: "x", service: "s", environment: "e" });
  });

  it("refuses a route naming an unknown channel or escalation policy", () => {
    expect(() =>
      config(`
alerts:
  route: { channels: [nope], routes: [{ escalation: ghost }] }
`),
    ).toThrow(/unknown channel "nope"[\s\S]*unknown escalation policy "ghost"/);
  });
});

describe("matchers that could hurt", () => {
  it("refuses, at config load, a route or inhibition pattern that RE2 cannot run", () => {
    expect(() =>
      config(`
alerts:
  route: { routes: [{ matchers: ["service=~(?!web).*"] }] }
  inhibitRules: [{ source: ["alertname=~(a)\\\\1"], target: [severity=info] }]
`),
    ).toThrow(
      /alerts.route.routes\[0\].matchers\[0\]: .*not a valid regular expression[\s\S]*alerts.inhibitRules\[0\].source\[0\]: .*not a valid regular expression/,
    );
  });

  it("refuses a config whose cron cannot run", () => {
    expect(() => config(`\nalerts:\n  digest: { schedule: "99 * * * *" }\n`)).toThrow(
      /alerts.digest.schedule: is not a valid cron expression/,
    );
  });
});

describe("silences and inhibition", () => {
  const now = Date.parse("2026-11-27T12:00:00Z");
  it("a silence covers alerts matching all its matchers while it is active", () => {
    const s = {
      id: 1,
      matchers: [m("service=backend"), m("severity=~warning|info")],
      startsAt: new Date(now - 1000),
      endsAt: new Date(now + 60_000),
    };
    expect(silencedBy({ service: "backend", severity: "info" }, [s], now)).toBe(s);
    expect(silencedBy({ service: "backend", severity: "critical" }, [s], now)).toBeUndefined();
    expect(silencedBy({ service: "backend", severity: "info" }, [s], now + 60_000)).toBeUndefined();
    expect(silencedBy({ service: "backend", severity: "info" }, [s], now - 2000)).toBeUndefined();
  });

  it("a down service holds back its latency alerts, only for the same service and environment", () => {
    const rule = {
      source: [m("condition=monitor")],
      target: [m("condition=~latency|uptime")],
      equal: ["service", "environment"],
    };
    const firing = [
      { id: 1, labels: { condition: "monitor", service: "backend", environment: "production" } },
      { id: 2, labels: { condition: "latency", service: "backend", environment: "production" } },
      { id: 3, labels: { condition: "latency", service: "backend", environment: "staging" } },
      { id: 4, labels: { condition: "latency", service: "web", environment: "production" } },
    ];
    expect([...inhibitedIds(firing, [rule]).entries()]).toEqual([[2, 1]]);
    // With the source gone, nothing is held.
    expect(inhibitedIds(firing.slice(1), [rule]).size).toBe(0);
  });
});

describe("grouping (Alertmanager's timers)", () => {
  const route = {
    groupWait: 30_000,
    groupInterval: 300_000,
    repeatInterval: 4 * 3_600_000,
    sendResolved: true,
  };
  const never = () => false;

  it("waits group_wait, then sends everything that started meanwhile in one notification", () => {
    expect(planGroup(null, [1], never, 0, route)).toEqual({
      action: "create",
      nextFlushAt: 30_000,
    });
    const state = { notified: [], lastFlushAt: null, nextFlushAt: 30_000 };
    expect(planGroup(state, [1, 2], never, 29_000, route).action).toBe("wait");
    expect(planGroup(state, [1, 2], never, 30_000, route)).toMatchObject({
      action: "flush",
      firing: [1, 2],
      resolved: [],
    });
  });

  it("a group that resolves before group_wait sends nothing", () => {
    const state = { notified: [], lastFlushAt: null, nextFlushAt: 30_000 };
    expect(planGroup(state, [], () => true, 30_000, route)).toEqual({ action: "delete" });
  });

  it("a new alert waits for group_interval; nothing changed waits for repeat_interval", () => {
    const state = { notified: [1], lastFlushAt: 30_000, nextFlushAt: 330_000 };
    expect(planGroup(state, [1, 2], never, 100_000, route).action).toBe("wait");
    expect(planGroup(state, [1, 2], never, 330_000, route)).toMatchObject({
      action: "flush",
      firing: [1, 2],
      repeat: false,
    });
    expect(planGroup(state, [1], never, 330_000, route).action).toBe("wait");
    expect(planGroup(state, [1], never, 30_000 + 4 * 3_600_000, route)).toMatchObject({
      action: "flush",
      repeat: true,
    });
    // An acknowledged group is not repeated.
    expect(planGroup(state, [1], never, 30_000 + 4 * 3_600_000, route, false).action).toBe("wait");
  });

  it("sends one resolved notification when the group clears, then ends", () => {
    const state = { notified: [1, 2], lastFlushAt: 0, nextFlushAt: 300_000 };
    expect(planGroup(state, [2], (id) => id === 1, 300_000, route)).toMatchObject({
      action: "flush",
      firing: [2],
      resolved: [1],
      last: false,
    });
    expect(planGroup(state, [], () => true, 300_000, route)).toMatchObject({
      action: "flush",
      firing: [],
      resolved: [1, 2],
      last: true,
    });
    expect(planGroup(state, [], () => true, 300_000, { ...route, sendResolved: false })).toEqual({
      action: "delete",
    });
  });
});

describe("evaluation and dispatch against the database", () => {
  let db: Db;
  const t0 = Date.parse("2026-11-27T12:00:00Z");
  beforeEach(() => {
    db = freshDb();
  });

  const RULES = `
alerts:
  rules:
    - { id: backend-down, severity: critical, condition: { type: monitor, services: [backend] }, runbook: /runbooks/uptime-incident }
    - { id: slow, severity: warning, for: 2m, condition: { type: latency, threshold: 1s, window: 5m } }
  channels:
    - { id: slack, type: slack, webhookUrl: "\${SLACK}" }
  inhibitRules:
    - { source: [condition=monitor], target: [condition=latency], equal: [service, environment] }
  route: { channels: [slack], groupWait: 30s, groupInterval: 5m }
`;

  const openIncident = (monitorId: string, at: number) =>
    db
      .insert(incidents)
      .values({ monitorId, openedAt: new Date(at), cause: "connect ECONNREFUSED" })
      .run();
  const closeIncident = (monitorId: string, at: number) =>
    db
      .update(incidents)
      .set({ closedAt: new Date(at) })
      .where(eq(incidents.monitorId, monitorId))
      .run();
  const slowMinute = (monitorId: string, at: number) =>
    db
      .insert(monitorRollups)
      .values({
        monitorId,
        resolution: "minute",
        bucket: at - (at % 60_000),
        up: 1,
        respCount: 1,
        respSum: 3000,
        respMin: 3000,
        respMax: 3000,
        ...{ h15: 1 },
      } as typeof monitorRollups.$inferInsert)
      .onConflictDoNothing()
      .run();
  const outbox = () => db.select().from(notifications).orderBy(notifications.id).all();

  it("fires, groups, notifies once, and sends one resolved message; every transition is stored", () => {
    const c = config(RULES);
    openIncident("backend-health", t0);
    openIncident("backend-staging", t0);
    evaluateRules(db, c, t0);
    const fired = db.select().from(alerts).all();
    expect(fired.map((a) => [a.labels.monitor, a.state])).toEqual([
      ["backend-health", "firing"],
      ["backend-staging", "firing"],
    ]);
    expect(fired[0]!.labels).toMatchObject({
      alertname: "backend-down",
      severity: "critical",
      service: "backend",
      environment: "production",
      condition: "monitor",
    });

    dispatch(db, c, t0);
    expect(outbox()).toHaveLength(0); // group_wait
    dispatch(db, c, t0 + 30_000);
    // Two groups (production and staging), one message each.
    expect(outbox().map((n) => (n.payload as NotificationPayload).title)).toEqual([
      "[FIRING:1] backend-down (backend production)",
      "[FIRING:1] backend-down (backend staging)",
    ]);
    const payload = outbox()[0]!.payload as NotificationPayload;
    expect(payload.alerts[0]!.runbook).toMatch(/\/runbooks\/uptime-incident$/);

    // Evaluating and dispatching again changes nothing.
    for (let t = t0 + 31_000; t < t0 + 400_000; t += 15_000) {
      evaluateRules(db, c, t);
      dispatch(db, c, t);
    }
    expect(outbox()).toHaveLength(2);

    closeIncident("backend-health", t0 + 400_000);
    evaluateRules(db, c, t0 + 400_000);
    dispatch(db, c, t0 + 400_000);
    const resolved = outbox().slice(2);
    expect(resolved.map((n) => (n.payload as NotificationPayload).title)).toEqual([
      "[RESOLVED] backend-down (backend production)",
    ]);
    for (let t = t0 + 401_000; t < t0 + 1_200_000; t += 15_000) dispatch(db, c, t);
    expect(outbox()).toHaveLength(3);

    const transitions = db.select().from(alertTransitions).all();
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual([
      "inactive->firing",
      "inactive->firing",
      "firing->resolved",
    ]);
  });

  it("the same group firing again a day later is notified again (a new group lifetime)", () => {
    const c = config(RULES);
    openIncident("backend-health", t0);
    evaluateRules(db, c, t0);
    dispatch(db, c, t0);
    dispatch(db, c, t0 + 30_000);
    closeIncident("backend-health", t0 + 60_000);
    evaluateRules(db, c, t0 + 60_000);
    dispatch(db, c, t0 + 400_000);
    expect(outbox()).toHaveLength(2);
    const later = t0 + 86_400_000;
    openIncident("backend-health", later);
    evaluateRules(db, c, later);
    dispatch(db, c, later);
    dispatch(db, c, later + 30_000);
    closeIncident("backend-health", later + 60_000);
    evaluateRules(db, c, later + 60_000);
    dispatch(db, c, later + 400_000);
    expect(outbox().map((n) => (n.payload as NotificationPayload).title)).toEqual([
      "[FIRING:1] backend-down (backend production)",
      "[RESOLVED] backend-down (backend production)",
      "[FIRING:1] backend-down (backend production)",
      "[RESOLVED] backend-down (backend production)",
    ]);
  });

  it("holds back latency alerts while the service is down, and sends them when it is not", () => {
    const c = config(RULES);
    for (let i = -3; i < 6; i++) slowMinute("backend-health", t0 - i * 60_000);
    openIncident("backend-health", t0);
    evaluateRules(db, c, t0);
    evaluateRules(db, c, t0 + 120_000);
    const states = () =>
      db
        .select()
        .from(alerts)
        .all()
        .map((a) => [a.ruleId, a.state]);
    expect(states()).toEqual([
      ["backend-down", "firing"],
      ["slow", "firing"],
    ]);
    dispatch(db, c, t0 + 120_000);
    dispatch(db, c, t0 + 150_000);
    const titles = () => outbox().map((n) => (n.payload as NotificationPayload).title);
    expect(titles()).toEqual(["[FIRING:1] backend-down (backend production)"]);

    closeIncident("backend-health", t0 + 160_000);
    evaluateRules(db, c, t0 + 160_000);
    dispatch(db, c, t0 + 160_000);
    dispatch(db, c, t0 + 190_000);
    expect(titles()).toEqual([
      "[FIRING:1] backend-down (backend production)",
      "[FIRING:1] slow (backend production)",
    ]);
    dispatch(db, c, t0 + 450_000);
    expect(titles()[2]).toBe("[RESOLVED] backend-down (backend production)");
  });

  it("a silence keeps an alert from being notified; expiring it lets the notification through", () => {
    const c = config(RULES);
    const s = db
      .insert(silences)
      .values({
        matchers: [m("alertname=backend-down"), m("environment=staging")],
        startsAt: new Date(t0 - 1000),
        endsAt: new Date(t0 + 3_600_000),
        comment: "migrating staging",
        createdBy: "operator@example.com",
      })
      .returning()
      .get();
    openIncident("backend-staging", t0);
    evaluateRules(db, c, t0);
    dispatch(db, c, t0);
    dispatch(db, c, t0 + 60_000);
    expect(outbox()).toHaveLength(0);
    db.update(silences)
      .set({ endsAt: new Date(t0 + 61_000) })
      .run();
    dispatch(db, c, t0 + 62_000);
    dispatch(db, c, t0 + 92_000);
    expect(outbox()).toHaveLength(1);
    expect(s.id).toBeGreaterThan(0);
  });

  it("a pending alert that clears before `for` passes never notifies", () => {
    const c = config(RULES);
    for (let i = 0; i < 5; i++) slowMinute("web-health", t0 - i * 60_000);
    evaluateRules(db, c, t0);
    evaluateRules(db, c, t0 + 600_000); // the slow minutes left the window
    dispatch(db, c, t0 + 700_000);
    expect(db.select().from(alerts).get()!.state).toBe("inactive");
    expect(outbox()).toHaveLength(0);
  });

  it("uptime over 30 days adds whole days from day rollups and the ragged ends from hours", () => {
    const c = config(`
alerts:
  rules:
    - { id: slo, severity: warning, condition: { type: uptime, monitors: [web-health], window: 30d, target: 99.9 } }
`);
    const row = (resolution: "hour" | "day", bucket: number, up: number, down: number) =>
      db
        .insert(monitorRollups)
        .values({ monitorId: "web-health", resolution, bucket, up, down })
        .run();
    const day = t0 - (t0 % 86_400_000);
    for (let k = 1; k < 30; k++) row("day", day - k * 86_400_000, 1440, 0);
    // Inside the window only through its hours: the day row of the window's first day
    // must not be counted whole.
    row("day", day - 30 * 86_400_000, 0, 1440);
    row("hour", t0 - 30 * 86_400_000 + 3_600_000, 0, 0);
    // Today, so far: 12 hours with one hour down.
    for (let h = 0; h < 12; h++)
      row("hour", day + h * 3_600_000, h === 3 ? 0 : 60, h === 3 ? 60 : 0);
    evaluateRules(db, c, t0);
    const alert = db.select().from(alerts).get()!;
    // 60 down of 29 × 1440 + 12 × 60 = 42,480 checks → 99.858 %.
    expect(alert.value).toBeCloseTo(99.858, 3);
    expect(alert.summary).toContain("below the 99.9% target");
  });

  it("uptime needs enough checks in the window; latency ignores heartbeats' job durations", () => {
    const c = config(`
alerts:
  rules:
    - { id: slo, severity: warning, condition: { type: uptime, monitors: [web-health], window: 1d, target: 99 } }
    - { id: slow, severity: warning, condition: { type: latency, threshold: 1s } }
`);
    expect(c.monitors.some((m) => m.type === "heartbeat")).toBe(true);
    db.insert(monitorRollups)
      .values({
        monitorId: "web-health",
        resolution: "minute",
        bucket: t0 - 60_000,
        up: 1,
        down: 1,
      })
      .run();
    slowMinute("nightly", t0 - 60_000);
    evaluateRules(db, c, t0);
    expect(db.select().from(alerts).all()).toHaveLength(0);
    db.insert(monitorRollups)
      .values({
        monitorId: "web-health",
        resolution: "minute",
        bucket: t0 - 120_000,
        up: 90,
        down: 10,
      })
      .run();
    evaluateRules(db, c, t0 + 1000);
    expect(
      db
        .select()
        .from(alerts)
        .all()
        .map((a) => [a.ruleId, a.value]),
    ).toEqual([["slo", 89.215]]);
  });

  it("a rule that throws keeps its alerts as they were", () => {
    const c = config(RULES);
    openIncident("backend-health", t0);
    evaluateRules(db, c, t0);
    db.$client.exec("alter table incidents rename to incidents_gone");
    const result = evaluateRules(db, c, t0 + 15_000);
    expect(result.errors).toBe(1);
    expect(db.select().from(alerts).get()!.state).toBe("firing");
  });
});
