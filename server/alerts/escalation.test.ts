import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actAs, makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { ackAlert } from "@/server/actions/ack-alert";
import { createOncallOverride } from "@/server/actions/create-oncall-override";
import { createSilence } from "@/server/actions/create-silence";
import { resolveAlert } from "@/server/actions/resolve-alert";
import { parseConfigText } from "@/server/config/load";
import { setConfigForTests } from "@/server/config";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import {
  alerts,
  alertTransitions,
  auditLog,
  incidents,
  notifications,
  silences,
} from "@/server/db/schema";
import { onCallNow } from "@/server/oncall/schedules";
import { ruleStats } from "@/server/queries/alerts";
import { expireSilence } from "@/server/actions/expire-silence";
import { sendTestNotification } from "@/server/actions/send-test-notification";
import { deleteOncallOverride } from "@/server/actions/delete-oncall-override";
import { sendDigests } from "./digest";
import { AlertEngine } from "./engine";
import { dispatch } from "./dispatch";
import { evaluateRules } from "./evaluate";

const YAML = `
environments: [{ id: production, name: Production }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" } } }
monitors:
  - { id: health, service: backend, environment: production, type: http, url: "http://127.0.0.1:1/health" }
alerts:
  rules:
    - { id: down, name: Backend down, severity: critical, condition: { type: monitor } }
    - { id: deploys, severity: info, condition: { type: deployment, events: [succeeded] } }
  channels:
    - { id: slack, type: slack, webhookUrl: "\${SLACK}" }
    - { id: pager, type: email, from: "opsdeck@example.com", smtp: { host: 127.0.0.1, port: 2525 } }
  route:
    channels: [slack]
    groupWait: 0s
    routes:
      - { matchers: [severity=critical], escalation: primary }
      - { matchers: [severity=info], channels: [slack], digest: true }
  digest: { schedule: "0 8 * * *" }
oncall:
  schedules:
    - id: primary
      timeZone: Europe/Berlin
      layers:
        - { name: Weekly, rotation: weekly, handoff: { weekday: monday, time: "09:00" }, start: "2026-01-05", people: [alice@example.com, bob@example.com] }
  escalationPolicies:
    - id: primary
      ackTimeout: 15m
      repeat: 1
      levels:
        - { notify: [{ schedule: primary }], channels: [pager] }
        - { notify: [{ user: lead@example.com }], channels: [pager, slack] }
`;

let db: Db;
let config: OpsdeckConfig;
// Friday 27 November 2026, 12:00 UTC: 46 weeks after the rotation started with alice on 5 January, so alice again.
const t0 = Date.parse("2026-11-27T12:00:00Z");

beforeEach(() => {
  db = freshDb();
  config = parseConfigText(YAML, "test.yaml", () => "http://127.0.0.1:9/slack");
  setConfigForTests(config);
});

const pages = () =>
  db
    .select()
    .from(notifications)
    .where(eq(notifications.kind, "escalation"))
    .orderBy(notifications.id)
    .all()
    .map((n) => `${n.channelId}:${n.recipient ?? "-"}`);

function fire() {
  db.insert(incidents)
    .values({ monitorId: "health", openedAt: new Date(t0), cause: "HTTP 503" })
    .run();
  evaluateRules(db, config, t0);
  dispatch(db, config, t0);
  return db.select().from(alerts).get()!;
}

describe("escalation", () => {
  it("pages the on-call person, then the next level after the ack timeout, then repeats once and stops", () => {
    fire();
    expect(pages()).toEqual(["pager:alice@example.com"]);
    dispatch(db, config, t0 + 14 * 60_000);
    expect(pages()).toHaveLength(1);
    dispatch(db, config, t0 + 15 * 60_000);
    expect(pages()).toEqual(["pager:alice@example.com", "pager:lead@example.com", "slack:-"]);
    dispatch(db, config, t0 + 30 * 60_000); // round 2, level 1
    dispatch(db, config, t0 + 45 * 60_000); // round 2, level 2
    dispatch(db, config, t0 + 60 * 60_000); // repeat limit reached
    dispatch(db, config, t0 + 120 * 60_000);
    expect(pages()).toHaveLength(6);
  });

  it("an acknowledgement stops escalation and repeats, and is audited", async () => {
    const alert = fire();
    const operator = await makeUser(db, "operator");
    actAs(operator);
    const acked = await ackAlert({ alertId: alert.id });
    expect(acked).toMatchObject({ ok: true, data: { ackedBy: "operator@example.com" } });
    dispatch(db, config, t0 + 60 * 60_000);
    dispatch(db, config, t0 + 5 * 3_600_000); // past the 4 h repeat interval
    expect(pages()).toEqual(["pager:alice@example.com"]);
    const sent = db.select().from(notifications).all();
    expect(sent.filter((n) => n.kind !== "ack")).toHaveLength(2); // one Slack, one page
    // Both who were told of it hear, once, who took it.
    expect(
      sent.filter((n) => n.kind === "ack").map((n) => `${n.channelId}:${n.recipient ?? "-"}`),
    ).toEqual(["pager:alice@example.com", "slack:-"]);
    const audit = db.select().from(auditLog).all().at(-1)!;
    expect(audit).toMatchObject({
      action: "alerts.ack",
      outcome: "success",
      targetId: String(alert.id),
    });
    // Acknowledging twice changes nothing.
    expect(await ackAlert({ alertId: alert.id })).toMatchObject({
      ok: true,
      data: { already: true },
    });
  });

  it("a viewer cannot acknowledge; bad input is refused; nothing changes", async () => {
    const alert = fire();
    actAs(await makeUser(db, "viewer"));
    expect(await ackAlert({ alertId: alert.id })).toMatchObject({ ok: false, status: 403 });
    actAs(await makeUser(db, "operator"));
    expect(await ackAlert({ alertId: -1 })).toMatchObject({ ok: false, status: 400 });
    expect(await ackAlert({ alertId: 999 })).toMatchObject({ ok: false, status: 404 });
    expect(
      await createSilence({
        matchers: ["alertname=~.*"],
        endsAt: new Date(t0 + 1e12).toISOString(),
        comment: "all of it",
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await createSilence({
        matchers: ["x" + "y".repeat(600)],
        endsAt: "2030-01-01T00:00:00Z",
        comment: "long",
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(db.select().from(silences).all()).toHaveLength(0);
    expect(db.select().from(alerts).get()!.ackedAt).toBeNull();
  });

  it("resolving by hand as a false positive holds the alert until the condition clears, and counts in the figures", async () => {
    const alert = fire();
    actAs(await makeUser(db, "operator"));
    expect(
      await resolveAlert({
        alertId: alert.id,
        falsePositive: true,
        note: "probe host had no route",
      }),
    ).toMatchObject({ ok: true });
    evaluateRules(db, config, t0 + 15_000); // still down: no new alert
    expect(db.select().from(alerts).all()).toHaveLength(1);
    db.update(incidents)
      .set({ closedAt: new Date(t0 + 20_000) })
      .run();
    evaluateRules(db, config, t0 + 30_000);
    db.insert(incidents)
      .values({ monitorId: "health", openedAt: new Date(t0 + 40_000), cause: "HTTP 503" })
      .run();
    evaluateRules(db, config, t0 + 45_000); // down again after clearing: a new alert
    expect(
      db
        .select()
        .from(alerts)
        .all()
        .map((a) => a.state),
    ).toEqual(["resolved", "firing"]);
    const stats = ruleStats(db, config, t0 + 60_000).find((s) => s.ruleId === "down")!;
    expect(stats).toMatchObject({ fired: 2, falsePositives: 1, falsePositiveShare: 1, flaps: 1 });
  });
});

describe("escalation holds", () => {
  it("a silenced alert pages nobody; its escalation goes on when the silence ends", () => {
    fire();
    expect(pages()).toHaveLength(1);
    db.insert(silences)
      .values({
        matchers: [{ name: "alertname", op: "=", value: "down" }],
        startsAt: new Date(t0),
        endsAt: new Date(t0 + 3_600_000),
        comment: "working on it",
        createdBy: "operator@example.com",
      })
      .run();
    dispatch(db, config, t0 + 20 * 60_000);
    dispatch(db, config, t0 + 50 * 60_000);
    expect(pages()).toHaveLength(1);
    dispatch(db, config, t0 + 61 * 60_000);
    expect(pages()).toEqual(["pager:alice@example.com", "pager:lead@example.com", "slack:-"]);
  });

  it("nobody on call and no addresses: the alert's history says nobody was paged", () => {
    config = parseConfigText(
      YAML.replace('start: "2026-01-05"', 'start: "2030-01-07"'),
      "test.yaml",
      () => "http://127.0.0.1:9/slack",
    );
    const alert = fire();
    expect(pages()).toEqual([]);
    const notes = db
      .select()
      .from(alertTransitions)
      .where(eq(alertTransitions.alertId, alert.id))
      .all()
      .map((t) => t.note);
    expect(notes).toContain(
      "escalation level 1: nobody to page through pager (no one on call, and the channel has no addresses)",
    );
  });
});

describe("on-call", () => {
  it("where overrides overlap, the one made later wins", async () => {
    actAs(await makeUser(db, "operator"));
    const at = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    await createOncallOverride({
      scheduleId: "primary",
      person: "alice@example.com",
      startsAt: at(1),
      endsAt: at(30),
    });
    await createOncallOverride({
      scheduleId: "primary",
      person: "bob@example.com",
      startsAt: at(2),
      endsAt: at(4),
    });
    const schedule = config.oncall.schedules[0]!;
    expect(onCallNow(db, schedule, Date.now() + 3 * 3_600_000).now?.person).toBe("bob@example.com");
    expect(onCallNow(db, schedule, Date.now() + 5 * 3_600_000).now?.person).toBe(
      "alice@example.com",
    );
  });

  it("an override takes over for its range, and only people Opsdeck knows can be put on call", async () => {
    expect(onCallNow(db, config.oncall.schedules[0]!, t0).now?.person).toBe("alice@example.com");
    const usual = onCallNow(db, config.oncall.schedules[0]!, Date.now() + 3 * 3_600_000).now
      ?.person;
    const other = usual === "alice@example.com" ? "bob@example.com" : "alice@example.com";
    const operator = await makeUser(db, "operator");
    actAs(operator);
    const start = new Date(Date.now() + 3_600_000);
    const end = new Date(Date.now() + 5 * 3_600_000);
    expect(
      await createOncallOverride({
        scheduleId: "primary",
        person: "mallory@evil.test",
        startsAt: start.toISOString(),
        endsAt: end.toISOString(),
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await createOncallOverride({
        scheduleId: "primary",
        person: other,
        startsAt: start.toISOString(),
        endsAt: end.toISOString(),
        reason: "swap",
      }),
    ).toMatchObject({ ok: true });
    const during = onCallNow(db, config.oncall.schedules[0]!, start.getTime() + 60_000);
    expect(during.now).toMatchObject({ person: other, layer: null });
    expect(during.now!.end.getTime()).toBe(end.getTime());
  });
});

describe("layers", () => {
  it("a business-hours layer over a round-the-clock one: days go to the upper layer, nights to the lower", () => {
    const layered = parseConfigText(
      YAML.replace(
        "people: [alice@example.com, bob@example.com] }",
        `people: [alice@example.com, bob@example.com] }
        - { name: Office hours, rotation: daily, handoff: { time: "09:00" }, start: "2026-01-01", people: [carol@example.com], window: { from: "09:00", to: "17:00" } }`,
      ),
      "test.yaml",
      () => "http://127.0.0.1:9/slack",
    );
    const schedule = layered.oncall.schedules[0]!;
    // 27 November 2026 in Berlin (UTC+1): 12:00 local is 11:00 UTC, 20:00 local is 19:00 UTC.
    expect(onCallNow(db, schedule, Date.parse("2026-11-27T11:00:00Z")).now?.person).toBe(
      "carol@example.com",
    );
    expect(onCallNow(db, schedule, Date.parse("2026-11-27T19:00:00Z")).now?.person).toBe(
      "alice@example.com",
    );
  });
});

describe("digest", () => {
  it("collects info alerts of digest routes into one message per slot, once", () => {
    const slot = Date.parse("2026-11-28T08:00:00Z");
    db.$client
      .prepare(
        `insert into deployments (service, environment, version, status, started_at, finished_at, created_at, source, reported_by)
         values ('backend', 'production', '1.2.3', 'succeeded', ?, ?, ?, 'ci', 'ci')`,
      )
      .run(t0, t0 + 60_000, t0);
    evaluateRules(db, config, t0 + 90_000);
    dispatch(db, config, t0 + 90_000);
    // Digest routes send nothing on their own.
    expect(db.select().from(notifications).all()).toHaveLength(0);
    expect(sendDigests(db, config, slot + 5_000)).toBe(1);
    expect(sendDigests(db, config, slot + 60_000)).toBe(0);
    const [digest] = db.select().from(notifications).all();
    expect(digest).toMatchObject({ kind: "digest", channelId: "slack" });
    expect((digest!.payload as { title: string }).title).toContain("Daily digest: 1 alert");
  });
});

describe("restarts", () => {
  it("a new process carries on from the stored state: nothing is notified twice", async () => {
    db.insert(incidents)
      .values({ monitorId: "health", openedAt: new Date(t0), cause: "HTTP 503" })
      .run();
    const clock = { now: t0 };
    const first = new AlertEngine(db, config, { isLeader: () => true, now: () => clock.now });
    await Promise.all(first.tick());
    await first.stop();
    const queued = db.select().from(notifications).all().length;
    expect(queued).toBe(2); // the Slack group message and the page
    clock.now += 60_000;
    const second = new AlertEngine(db, config, { isLeader: () => true, now: () => clock.now });
    for (let i = 0; i < 5; i++) {
      await Promise.all(second.tick());
      clock.now += 15_000;
    }
    await second.stop();
    expect(db.select().from(notifications).all()).toHaveLength(queued);
    expect(db.select().from(alerts).all()).toHaveLength(1);
  });

  it("a monitor's status change is evaluated at the next tick, not at the next interval", async () => {
    const clock = { now: t0 };
    const engine = new AlertEngine(db, config, { isLeader: () => true, now: () => clock.now });
    await Promise.all(engine.tick());
    clock.now += 1_000; // the interval is 15 s
    await Promise.all(engine.tick());
    expect(db.select().from(alerts).all()).toHaveLength(0);
    // A heartbeat scan or a check stores a new status and opens an incident.
    db.insert(incidents)
      .values({ monitorId: "health", openedAt: new Date(clock.now), cause: "HTTP 503" })
      .run();
    db.$client
      .prepare("insert into monitor_state (monitor_id, status, since) values ('health', 'down', ?)")
      .run(clock.now);
    clock.now += 500;
    await Promise.all(engine.tick());
    await engine.stop();
    expect(
      db
        .select()
        .from(alerts)
        .all()
        .map((a) => a.state),
    ).toEqual(["firing"]);
  });

  it("a process that does not hold the lease evaluates and sends nothing", async () => {
    db.insert(incidents)
      .values({ monitorId: "health", openedAt: new Date(t0), cause: "HTTP 503" })
      .run();
    const follower = new AlertEngine(db, config, { isLeader: () => false, now: () => t0 });
    expect(follower.tick()).toEqual([]);
    expect(db.select().from(alerts).all()).toHaveLength(0);
  });
});

describe("actions refuse bad input and change nothing", () => {
  it("silences, overrides and test notifications", async () => {
    actAs(await makeUser(db, "operator"));
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const later = new Date(Date.now() + 7_200_000).toISOString();
    const refused = [
      await createSilence({ matchers: Array(21).fill("a=b"), endsAt: later, comment: "many" }),
      await createSilence({ matchers: ["a=b"], endsAt: later, comment: "x".repeat(501) }),
      await createSilence({ matchers: ["a=b"], endsAt: "2020-01-01T00:00:00Z", comment: "past" }),
      await createSilence({
        matchers: ["a=b"],
        startsAt: later,
        endsAt: soon,
        comment: "reversed",
      }),
      await createSilence({
        matchers: ["a=b"],
        endsAt: new Date(Date.now() + 91 * 86_400_000).toISOString(),
        comment: "too long",
      }),
      await createSilence({
        matchers: ["<script>alert(1)</script>"],
        endsAt: later,
        comment: "xss",
      }),
      await createSilence({ matchers: ["alertname!=x"], endsAt: later, comment: "matches all" }),
      await createSilence({ matchers: ['alertname=""'], endsAt: later, comment: "matches all" }),
      await createSilence({ matchers: ["version=~(?=a)b"], endsAt: later, comment: "not RE2" }),
      await createOncallOverride({
        scheduleId: "primary",
        person: "alice@example.com",
        startsAt: later,
        endsAt: soon,
      }),
      await createOncallOverride({
        scheduleId: "primary",
        person: "alice@example.com",
        startsAt: soon,
        endsAt: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      }),
      await createOncallOverride({
        scheduleId: "nope",
        person: "alice@example.com",
        startsAt: soon,
        endsAt: later,
      }),
      await sendTestNotification({ channelId: "nope" }),
      await expireSilence({ silenceId: 12345 }),
      await deleteOncallOverride({ overrideId: 12345 }),
    ];
    expect(refused.map((r) => (r.ok ? 200 : r.status))).toEqual([
      400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 404, 404, 404, 404,
    ]);
    expect(db.select().from(silences).all()).toHaveLength(0);
    expect(db.select().from(notifications).all()).toHaveLength(0);

    const made = await createSilence({
      matchers: ["alertname=down"],
      endsAt: later,
      comment: "planned work",
    });
    expect(made.ok).toBe(true);
    const id = made.ok ? made.data.silenceId : 0;
    expect(await expireSilence({ silenceId: id })).toMatchObject({ ok: true });
    expect(await expireSilence({ silenceId: id })).toMatchObject({ ok: false, status: 409 });
    const test = await sendTestNotification({ channelId: "slack" });
    expect(test.ok).toBe(true);
    expect(
      db
        .select()
        .from(notifications)
        .all()
        .map((n) => n.kind),
    ).toEqual(["test"]);
    // A paging-only email channel (no \`to\`) sends the test to the person who asked.
    expect((await sendTestNotification({ channelId: "pager" })).ok).toBe(true);
    expect(db.select().from(notifications).all().at(-1)).toMatchObject({
      channelId: "pager",
      recipient: "operator@example.com",
    });
  });
});
