import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
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
  it("has every monitor's status only when asked for it", () => {
    addAlert("down", "critical", "firing", t0);
    const without = liveState(db, config, { monitors: false, now: t0 });
    expect(without.uptime).toBeNull();
    expect(without.alerts.firing.total).toBe(1);
    const withMonitors = liveState(db, config, { monitors: true, now: t0 });
    expect(withMonitors.uptime?.monitors.map((m) => m.id)).toEqual(["backend-health"]);
    expect(withMonitors.uptime?.at).toBe(withMonitors.alerts.at);
  });
});
