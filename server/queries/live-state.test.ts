import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { monitorViewKey, type MonitorListView } from "@/lib/live-views";
import type { OverviewView } from "@/lib/overview";
import type { UptimeStatusView } from "@/lib/uptime-view";
import { liveAlerts, liveState } from "./live-state";

const YAML = `
environments: [{ id: production, name: Production }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" } } }
monitors:
  - { id: backend-health, service: backend, environment: production, type: http, url: "http://127.0.0.1:1/health" }
alerts:
  rules:
    - { id: down, name: Backend down, severity: critical, condition: { type: monitor, monitors: [backend-health] } }
    - { id: slow, name: Backend slow, severity: warning, condition: { type: job } }
`;

const t0 = Date.parse("2026-12-01T12:00:00Z");

/** 120 monitors: m-00…m-59 on svc-a, m-60…m-119 on svc-b, named "Monitor N". */
const MANY_YAML = [
  "environments: [{ id: production, name: Production }]",
  "services:",
  ...["svc-a", "svc-b"].map(
    (s) =>
      `  - { id: ${s}, name: ${s}, environments: { production: { url: "http://127.0.0.1:1" } } }`,
  ),
  "monitors:",
  ...Array.from(
    { length: 120 },
    (_, i) =>
      `  - { id: m-${String(i).padStart(2, "0")}, name: "Monitor ${i}", service: ${i < 60 ? "svc-a" : "svc-b"}, environment: production, type: http, url: "http://127.0.0.1:1/h" }`,
  ),
].join("\n");
let MANY: OpsdeckConfig;
let db: Db;
let config: OpsdeckConfig;

function addAlert(rule: string, severity: string, state: string, at: number): number {
  const info = db.$client
    .prepare(
      `insert into alerts (rule_id, fingerprint, labels, severity, summary, state, active_at, last_active_at, fired_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      rule,
      `f${at}`,
      JSON.stringify({ alertname: rule, service: "backend", environment: "production" }),
      severity,
      `${rule} at ${at}`,
      state,
      at,
      at,
      state === "pending" ? null : at,
    );
  return Number(info.lastInsertRowid);
}

beforeEach(() => {
  db = freshDb();
  config = parseConfigText(YAML, "test.yaml", () => undefined);
  MANY = parseConfigText(MANY_YAML, "many.yaml", () => undefined);
});

describe("the live alerts", () => {
  it("count firing alerts by severity and carry the six newest, newest first; pending ones are not firing", () => {
    for (let i = 0; i < 7; i++) addAlert("slow", "warning", "firing", t0 + i * 1000);
    const critical = addAlert("down", "critical", "firing", t0 + 60_000);
    addAlert("down", "critical", "pending", t0 + 120_000);
    const live = liveAlerts(db, config, t0 + 180_000);
    expect(live.firing).toEqual({ total: 8, critical: 1, warning: 7, info: 0 });
    expect(live.newest).toHaveLength(6);
    expect(live.newest[0]).toMatchObject({ id: critical, name: "Backend down", state: "firing" });
    expect(live.at).toBe(new Date(t0 + 180_000).toISOString());
  });

  it("say nothing is firing on an empty database", () => {
    expect(liveAlerts(db, config, t0)).toMatchObject({
      firing: { total: 0, critical: 0, warning: 0, info: 0 },
      newest: [],
    });
  });

  it("change their version on an alert transition, a new silence, and a silence ending by the clock", () => {
    const id = addAlert("down", "critical", "firing", t0);
    const before = liveAlerts(db, config, t0).version;
    expect(liveAlerts(db, config, t0 + 1000).version).toBe(before);

    // An acknowledgement writes a transition and no other change the count would show.
    db.$client
      .prepare(
        `insert into alert_transitions (alert_id, at, from_state, to_state, by) values (?, ?, 'firing', 'firing', 'op@example.com')`,
      )
      .run(id, t0 + 2000);
    const acked = liveAlerts(db, config, t0 + 2000).version;
    expect(acked).not.toBe(before);

    db.$client
      .prepare(
        `insert into silences (matchers, starts_at, ends_at, comment, created_by, created_at) values ('[]', ?, ?, 'deploy', 'op@example.com', ?)`,
      )
      .run(t0 + 3000, t0 + 60_000, t0 + 3000);
    const silenced = liveAlerts(db, config, t0 + 3000).version;
    expect(silenced).not.toBe(acked);
    expect(liveAlerts(db, config, t0 + 60_001).version).not.toBe(silenced);
  });
});

describe("the live state", () => {
  it("has only the monitor views asked for, each read in the same snapshot as the alerts", () => {
    addAlert("down", "critical", "firing", t0);
    const without = liveState(db, config, { views: [], now: t0 });
    expect(without.views).toEqual({});
    expect(without.alerts.firing.total).toBe(1);
    const all = liveState(db, config, { views: [{ kind: "all" }], now: t0 });
    const everything = all.views.all as UptimeStatusView;
    expect(everything.monitors.map((m) => m.id)).toEqual(["backend-health"]);
    expect(everything.at).toBe(all.alerts.at);
  });

  it("answers the Overview with its summary, a monitor page with that monitor, and skips an unknown monitor", () => {
    const live = liveState(db, MANY, {
      views: [{ kind: "overview" }, { kind: "one", id: "m-07" }, { kind: "one", id: "nope" }],
      now: t0,
    });
    expect(Object.keys(live.views).sort()).toEqual(["one:m-07", "overview"]);
    const overview = live.views.overview as OverviewView;
    expect(Object.values(overview.counts).reduce((a, n) => a + (n ?? 0), 0)).toBe(120);
    expect(overview).not.toHaveProperty("monitors");
    const one = live.views["one:m-07"] as UptimeStatusView;
    expect(one.monitors.map((m) => m.id)).toEqual(["m-07"]);
  });

  it("filters and pages the list on the server: a poll carries one page and the filter's total", () => {
    const spec = {
      kind: "list" as const,
      filter: { environment: "", service: "svc-b", status: "", q: "" },
      page: 2,
    };
    const live = liveState(db, MANY, { views: [spec], now: t0 });
    const list = live.views[monitorViewKey(spec)] as MonitorListView;
    expect(list.total).toBe(60);
    expect(list.page).toBe(2);
    expect(list.monitors).toHaveLength(10);
    expect(list.monitors.every((m) => m.service === "svc-b")).toBe(true);
    // A page past the end shows the last one; a search matches names.
    const past = { ...spec, page: 9 };
    const clamped = liveState(db, MANY, { views: [past], now: t0 }).views[
      monitorViewKey(past)
    ] as MonitorListView;
    expect(clamped.page).toBe(2);
    const q = { ...spec, filter: { ...spec.filter, service: "", q: "monitor 1" }, page: 1 };
    const found = liveState(db, MANY, { views: [q], now: t0 }).views[
      monitorViewKey(q)
    ] as MonitorListView;
    expect(found.monitors.map((m) => m.id)).toEqual(
      expect.arrayContaining(["m-01", "m-11", "m-100", "m-119"]),
    );
    expect(found.monitors.every((m) => m.name.startsWith("Monitor 1"))).toBe(true);
    expect(found.total).toBe(31); // 1, 10–19 and 100–119
  });

  it("carries the newest incidents of every monitor the filter keeps, not the newest overall cut down", () => {
    const add = db.$client.prepare(
      "insert into incidents (monitor_id, opened_at, closed_at, cause, failed_checks) values (?, ?, ?, 'refused', 3)",
    );
    for (let i = 0; i < 5; i++) add.run("m-70", t0 - 900_000 - i * 1000, t0 - 800_000);
    for (let i = 0; i < 40; i++) add.run("m-05", t0 - 60_000 - i * 1000, t0 - 30_000);
    const spec = {
      kind: "list" as const,
      filter: { environment: "", service: "svc-b", status: "", q: "" },
      page: 3,
    };
    const list = liveState(db, MANY, { views: [spec], now: t0 }).views[
      monitorViewKey(spec)
    ] as MonitorListView;
    expect(list.recentIncidents.map((i) => i.monitorId)).toEqual(Array(5).fill("m-70"));
    expect(list.incidentNames).toEqual({ "m-70": "Monitor 70" });
    const all = { ...spec, filter: { ...spec.filter, service: "" } };
    const everything = liveState(db, MANY, { views: [all], now: t0 }).views[
      monitorViewKey(all)
    ] as MonitorListView;
    expect(everything.recentIncidents).toHaveLength(30);
  });

  it("filters the list on status as the engine left it, before summarising", () => {
    db.$client
      .prepare(
        "insert into monitor_state (monitor_id, status, since, last_check_at) values ('m-03', 'down', ?, ?)",
      )
      .run(t0, t0);
    const spec = {
      kind: "list" as const,
      filter: { environment: "", service: "", status: "down", q: "" },
      page: 1,
    };
    const list = liveState(db, MANY, { views: [spec], now: t0 }).views[
      monitorViewKey(spec)
    ] as MonitorListView;
    expect(list.total).toBe(1);
    expect(list.monitors.map((m) => [m.id, m.status])).toEqual([["m-03", "down"]]);
  });
});
