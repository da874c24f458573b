import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { alerts, alertTransitions, notifications } from "@/server/db/schema";
import { alertHistory } from "@/server/queries/alerts";
import { dispatch } from "./dispatch";
import { evaluateRules } from "./evaluate";

const YAML = `
environments: [{ id: production, name: Production }, { id: staging, name: Staging }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" }, staging: { url: "http://127.0.0.1:2" } } }
  - { id: web, name: Web, environments: { production: { url: "http://127.0.0.1:3" } } }
alerts:
  rules:
    - { id: deploy-failed, severity: critical, condition: { type: deployment, kinds: [deployment], events: [failed] } }
    - { id: deploys, severity: info, condition: { type: deployment, events: [started, succeeded] } }
    - { id: job-failed, severity: warning, condition: { type: job } }
  channels:
    - { id: slack, type: slack, webhookUrl: "\${SLACK}" }
    - { id: pager, type: email, from: "opsdeck@example.com", smtp: { host: 127.0.0.1, port: 2525 } }
  route:
    channels: [slack]
    groupWait: 0s
    routes:
      - { matchers: [severity=critical], escalation: primary }
oncall:
  escalationPolicies:
    - id: primary
      ackTimeout: 15m
      levels:
        - { notify: [{ user: oncall@example.com }], channels: [pager] }
`;

let db: Db;
let config: OpsdeckConfig;
const t0 = Date.parse("2026-11-27T12:00:00Z");

beforeEach(() => {
  db = freshDb();
  config = parseConfigText(YAML, "test.yaml", () => "http://127.0.0.1:9/slack");
});

function failedDeploys(n: number, at: number, service = "backend", environment = "production") {
  const insert = db.$client.prepare(
    `insert into deployments (service, environment, version, status, started_at, finished_at, created_at, source, reported_by, author)
     values (?, ?, ?, 'failed', ?, ?, ?, 'ci', 'ci', 'ci-bot')`,
  );
  db.$client.transaction(() => {
    for (let i = 0; i < n; i++)
      insert.run(service, environment, `v${i}`, at + i, at + i + 1, at + i);
  })();
}

/** What the evaluator and dispatcher would do over `minutes`, one pass every 15 s. */
function run(from: number, minutes: number) {
  for (let t = from; t <= from + minutes * 60_000; t += 15_000) {
    evaluateRules(db, config, t);
    dispatch(db, config, t);
  }
}

describe("event fan-out is bounded", () => {
  it("5,000 failed deploy reports make one event per rule, service and environment, and one message each", () => {
    failedDeploys(5000, t0);
    run(t0 + 10_000, 5);
    const rows = db.select().from(alerts).all();
    // The failure rule, and the rule about deploys starting (each of these started too).
    expect(rows.map((r) => `${r.ruleId}:${r.labels.event}:${r.value}:${r.state}`)).toEqual([
      "deploy-failed:failed:5000:event",
      "deploys:started:5000:event",
    ]);
    expect(rows[0]).toMatchObject({
      labels: { service: "backend", environment: "production", kind: "deployment" },
    });
    expect(rows[0]!.summary).toBe(
      "5000 deployments of Backend in Production: failed (latest: v4999, by ci-bot)",
    );
    // Events are sent once: no page, no repeat, nothing resolved afterwards.
    const sent = db.select().from(notifications).all();
    expect(sent.map((n) => n.kind)).toEqual(["event", "event"]);
    expect(db.select().from(alertTransitions).all()).toHaveLength(2);
    // Nothing to acknowledge, nothing firing: they are in the history as events.
    expect(rows.every((r) => r.escalationNextAt === null && r.resolvedAt === null)).toBe(true);
    expect(alertHistory(db, config, {}).items.map((a) => a.state)).toEqual(["event", "event"]);
  });

  it("another service or environment is its own event; later failures are the next message of the group", () => {
    failedDeploys(100, t0);
    failedDeploys(50, t0, "backend", "staging");
    failedDeploys(10, t0, "web", "production");
    run(t0 + 10_000, 1);
    failedDeploys(100, t0 + 90_000);
    run(t0 + 100_000, 6);
    const rows = db.select().from(alerts).where(eq(alerts.ruleId, "deploy-failed")).all();
    expect(
      rows.map((r) => `${r.labels.service}/${r.labels.environment}:${r.value}`).sort(),
    ).toEqual([
      "backend/production:100",
      "backend/production:100",
      "backend/staging:50",
      "web/production:10",
    ]);
    // The second burst waits for the group's interval (5 min), then goes out once.
    const failedMessages = db
      .select()
      .from(notifications)
      .all()
      .filter((n) => (n.payload as { title: string }).title.startsWith("deploy-failed"));
    expect(failedMessages).toHaveLength(4);
    expect(failedMessages.every((n) => n.kind === "event")).toBe(true);
  });

  it("nothing is resolved when the window passes; a later failure is a new event", () => {
    failedDeploys(3, t0);
    run(t0 + 10_000, 1);
    run(t0 + 11 * 60_000, 1);
    const failures = () =>
      db
        .select()
        .from(alerts)
        .where(eq(alerts.ruleId, "deploy-failed"))
        .all()
        .map((r) => r.state);
    expect(failures()).toEqual(["event"]);
    failedDeploys(1, t0 + 20 * 60_000);
    run(t0 + 20 * 60_000 + 10_000, 0);
    expect(failures()).toEqual(["event", "event"]);
    expect(
      db
        .select()
        .from(notifications)
        .all()
        .filter((n) => n.kind !== "event"),
    ).toEqual([]);
  });

  it("a burst of deploys started and succeeded makes one alert per event, not one per deploy", () => {
    const insert = db.$client.prepare(
      `insert into deployments (service, environment, version, status, started_at, finished_at, created_at, source, reported_by)
       values ('backend', 'production', ?, 'succeeded', ?, ?, ?, 'ci', 'ci')`,
    );
    for (let i = 0; i < 300; i++) insert.run(`v${i}`, t0 + i, t0 + i + 10, t0 + i);
    run(t0 + 10_000, 0);
    expect(
      db
        .select()
        .from(alerts)
        .all()
        .map((r) => `${r.labels.event}:${r.value}`)
        .sort(),
    ).toEqual(["started:300", "succeeded:300"]);
  });

  it("1,000 failed jobs of one kind are one event per kind", () => {
    const insert = db.$client.prepare(
      `insert into jobs (kind, params, status, requested_by_name, finished_at, error) values (?, '{}', 'failed', 'test', ?, 'boom')`,
    );
    db.$client.transaction(() => {
      for (let i = 0; i < 1000; i++)
        insert.run(i % 10 === 0 ? "backup.run" : "deploy.action", t0 + i);
    })();
    run(t0 + 10_000, 0);
    const rows = db.select().from(alerts).all();
    expect(rows.map((r) => `${r.labels.kind}:${r.value}`).sort()).toEqual([
      "backup.run:100",
      "deploy.action:900",
    ]);
    expect(rows.find((r) => r.labels.kind === "backup.run")!.summary).toMatch(
      /100 backup.run jobs failed.*latest: #\d+: boom/,
    );
  });
});
