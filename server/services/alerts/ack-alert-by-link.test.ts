import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actAs, makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { ackAlert } from "@/server/actions/ack-alert";
import { ackAlertByLink } from "@/server/actions/ack-alert-by-link";
import { resolveAlert } from "@/server/actions/resolve-alert";
import { ACK_LINK_TTL_MS, signAckToken, withAckLinks } from "@/server/alerts/ack-link";
import { dispatch } from "@/server/alerts/dispatch";
import { evaluateRules } from "@/server/alerts/evaluate";
import type { NotificationPayload } from "@/server/alerts/payload";
import { parseConfigText } from "@/server/config/load";
import { setConfigForTests } from "@/server/config";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import {
  ackLinkUses,
  alerts,
  alertTransitions,
  auditLog,
  incidents,
  notifications,
} from "@/server/db/schema";
import { ackLinkView } from "@/server/queries/ack-link";

const YAML = `
environments: [{ id: production, name: Production }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" } } }
monitors:
  - { id: health, service: backend, environment: production, type: http, url: "http://127.0.0.1:1/health" }
alerts:
  rules:
    - { id: down, name: Backend down, severity: critical, condition: { type: monitor } }
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
        - { notify: [{ user: alice@example.com }], channels: [pager] }
`;

let db: Db;
let config: OpsdeckConfig;
let t0: number;

beforeEach(() => {
  db = freshDb();
  config = parseConfigText(YAML, "test.yaml", () => "http://127.0.0.1:9/slack");
  setConfigForTests(config);
  t0 = Date.now() - 60_000;
});

function fire() {
  db.insert(incidents)
    .values({ monitorId: "health", openedAt: new Date(t0), cause: "HTTP 503" })
    .run();
  evaluateRules(db, config, t0);
  dispatch(db, config, t0);
  return db.select().from(alerts).get()!;
}

/** The token in the link of the message that went to `channelId`, as the receiver got it. */
function linkFrom(channelId: string): string {
  const row = db.select().from(notifications).where(eq(notifications.channelId, channelId)).get()!;
  const url = withAckLinks(row.payload as NotificationPayload, row).alerts[0]!.ackUrl!;
  return url.split("/alerts/ack/")[1]!;
}

const transitions = (id: number) =>
  db.select().from(alertTransitions).where(eq(alertTransitions.alertId, id)).all();
const acks = () =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, "alerts.ack"), eq(auditLog.outcome, "success")))
    .all();

describe("acknowledge from a message's link", () => {
  it("acknowledges as the signed-in operator with a note, audited via the link; tells both channels who; works once", async () => {
    const alert = fire();
    const token = linkFrom("pager");
    actAs(await makeUser(db, "operator"));
    expect(ackLinkView(db, config, token)).toMatchObject({
      kind: "ready",
      alert: { id: alert.id, name: "Backend down" },
      recipient: "alice@example.com",
    });
    const res = await ackAlertByLink({ token, note: "  rolling back the 14:02 deploy  " });
    expect(res).toMatchObject({ ok: true, data: { alertId: alert.id, already: false } });

    const after = db.select().from(alerts).where(eq(alerts.id, alert.id)).get()!;
    expect(after).toMatchObject({ ackedBy: "operator@example.com", escalationNextAt: null });
    expect(transitions(alert.id).at(-1)).toMatchObject({
      to: "acknowledged",
      by: "operator@example.com",
      note: "rolling back the 14:02 deploy",
    });
    expect(acks()).toHaveLength(1);
    expect(acks()[0]!.details).toMatchObject({
      via: "link",
      recipient: "alice@example.com",
      note: "rolling back the 14:02 deploy",
    });
    // The token is nowhere in the audit row or the used-links table.
    expect(JSON.stringify(acks()[0])).not.toContain(token);
    expect(JSON.stringify(db.select().from(ackLinkUses).all())).not.toContain(token);

    // The Slack channel and the paged person hear, once, who took it and what they said.
    const notices = db.select().from(notifications).where(eq(notifications.kind, "ack")).all();
    expect(notices.map((n) => `${n.channelId}:${n.recipient ?? "-"}`).sort()).toEqual([
      "pager:alice@example.com",
      "slack:-",
    ]);
    const p = notices[0]!.payload as NotificationPayload;
    expect(p.title).toBe("Acknowledged by Operator (operator@example.com): Backend down");
    expect(p.text).toBe(
      "Acknowledged by Operator (operator@example.com): rolling back the 14:02 deploy",
    );
    // …and that message carries no acknowledge link of its own.
    expect(withAckLinks(p, notices[0]!).alerts[0]!.ackUrl).toBeUndefined();

    // The second use is refused, and changes nothing.
    const again = await ackAlertByLink({ token, note: "me too" });
    expect(again).toMatchObject({ ok: false, status: 409 });
    expect(!again.ok && again.error).toMatch(/already been used/);
    expect(ackLinkView(db, config, token)).toMatchObject({ kind: "refused" });
    expect(transitions(alert.id).filter((t) => t.to === "acknowledged")).toHaveLength(1);
    expect(acks()).toHaveLength(1);
    expect(db.select().from(notifications).where(eq(notifications.kind, "ack")).all()).toHaveLength(
      2,
    );
  });

  it("a viewer is refused (403, audited as denied); the link still works for an operator", async () => {
    const alert = fire();
    const token = linkFrom("slack");
    actAs(await makeUser(db, "viewer"));
    expect(await ackAlertByLink({ token })).toMatchObject({ ok: false, status: 403 });
    expect(
      db.select().from(auditLog).where(eq(auditLog.outcome, "denied")).all().at(-1),
    ).toMatchObject({ action: "alerts.ack" });
    expect(db.select().from(alerts).get()!.ackedAt).toBeNull();
    expect(db.select().from(ackLinkUses).all()).toHaveLength(0);
    actAs(await makeUser(db, "operator"));
    expect(await ackAlertByLink({ token })).toMatchObject({ ok: true });
    expect(acks()[0]!.details).toMatchObject({ via: "link", recipient: "channel:slack" });
    expect(transitions(alert.id).at(-1)!.note).toBeNull();
  });

  it("an altered, expired or junk link, an oversized note, or a resolved alert: a clear refusal, nothing changed", async () => {
    const alert = fire();
    const token = linkFrom("pager");
    actAs(await makeUser(db, "operator"));
    const forged = signAckToken(
      { alertId: alert.id, recipient: "x", expiresAt: Date.now() + 1000 },
      "not-the-server-secret-0123456789abcdef",
    );
    const expired = signAckToken({
      alertId: alert.id,
      recipient: "alice@example.com",
      expiresAt: Date.now() - 1,
    });
    const forgedRes = await ackAlertByLink({ token: forged });
    expect(forgedRes).toMatchObject({ ok: false, status: 400 });
    expect(!forgedRes.ok && forgedRes.error).toMatch(/not valid/);
    const expiredRes = await ackAlertByLink({ token: expired });
    expect(!expiredRes.ok && expiredRes.error).toMatch(/expired/);
    expect(ackLinkView(db, config, expired)).toMatchObject({ kind: "refused", alertId: alert.id });
    expect(await ackAlertByLink({ token: "" })).toMatchObject({ ok: false, status: 400 });
    expect(await ackAlertByLink({ token: "x".repeat(5000) })).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(await ackAlertByLink({ token, note: "n".repeat(1001) })).toMatchObject({
      ok: false,
      status: 400,
      error: "a note is at most 1000 characters",
    });
    expect(db.select().from(alerts).get()!.ackedAt).toBeNull();

    expect(await resolveAlert({ alertId: alert.id, note: "fixed by hand" })).toMatchObject({
      ok: true,
    });
    expect(ackLinkView(db, config, token)).toMatchObject({ kind: "closed" });
    const closed = await ackAlertByLink({ token });
    expect(closed).toMatchObject({ ok: false, status: 409 });
    expect(!closed.ok && closed.error).toMatch(/is resolved/);
    expect(db.select().from(ackLinkUses).all()).toHaveLength(0);
    expect(acks()).toHaveLength(0);
    expect(db.select().from(notifications).where(eq(notifications.kind, "ack")).all()).toHaveLength(
      0,
    );
  });
});

describe("notes on acknowledge and resolve", () => {
  it("are trimmed, kept on the timeline, blank is none, and at most 1000 characters", async () => {
    const alert = fire();
    actAs(await makeUser(db, "operator"));
    expect(await ackAlert({ alertId: alert.id, note: "x".repeat(1001) })).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(await ackAlert({ alertId: alert.id, note: "   " })).toMatchObject({ ok: true });
    expect(transitions(alert.id).at(-1)).toMatchObject({ to: "acknowledged", note: null });
    const note = `on it ${"n".repeat(990)}`;
    expect(await resolveAlert({ alertId: alert.id, note: ` ${note} ` })).toMatchObject({
      ok: true,
    });
    expect(transitions(alert.id).at(-1)).toMatchObject({ to: "resolved", note });
    expect(ACK_LINK_TTL_MS).toBe(24 * 3_600_000);
  });

  it("acknowledging on the alert's page tells the notified channels too, with the note", async () => {
    const alert = fire();
    actAs(await makeUser(db, "operator"));
    expect(await ackAlert({ alertId: alert.id, note: "checking the database" })).toMatchObject({
      ok: true,
    });
    expect(transitions(alert.id).at(-1)!.note).toBe("checking the database");
    const notice = db.select().from(notifications).where(eq(notifications.kind, "ack")).all();
    expect(notice.map((n) => (n.payload as NotificationPayload).text)).toEqual([
      "Acknowledged by Operator (operator@example.com): checking the database",
      "Acknowledged by Operator (operator@example.com): checking the database",
    ]);
    const detail = acks()[0]!.details as Record<string, unknown>;
    expect(detail.via).toBeUndefined();
  });
});
