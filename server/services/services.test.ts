import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { alerts, auditLog, calendarTokens, monitorState } from "@/server/db/schema";
import { userForCalendarToken } from "@/server/oncall/calendar";
import { makeUser } from "@/test/callers";
import { ackAlert } from "./alerts/ack-alert";
import { setMonitorPaused } from "./monitors/set-monitor-paused";
import { createCalendarToken } from "./oncall/create-calendar-token";
import type { Actor } from "./service";

let db: Db;
beforeEach(() => {
  db = freshDb();
  setConfigForTests(
    parseConfigText(
      `
environments: [{ id: production, name: Production }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" } } }
monitors:
  - { id: health, service: backend, environment: production, type: http, url: "http://127.0.0.1:1/health" }
`,
      "test.yaml",
      () => undefined,
    ),
  );
});

const cli: Actor = { kind: "cli" };
const ci: Actor = { kind: "integration", name: "integration:ci" };

describe("alerting, on-call and monitor verbs are services any adapter can call", () => {
  it("the CLI acknowledges an alert and pauses a monitor, audited as cli", async () => {
    const alert = db
      .insert(alerts)
      .values({
        ruleId: "down",
        fingerprint: "x",
        labels: {},
        severity: "critical",
        summary: "down",
        state: "firing",
        activeAt: new Date(),
        lastActiveAt: new Date(),
        firedAt: new Date(),
      })
      .returning()
      .get();
    expect(await ackAlert({ actor: cli, db }, { alertId: alert.id })).toMatchObject({
      ackedBy: "cli",
    });
    await setMonitorPaused({ actor: cli, db }, { monitorId: "health", paused: true });
    expect(
      db.select().from(monitorState).where(eq(monitorState.monitorId, "health")).get(),
    ).toMatchObject({ status: "paused", pausedBy: "cli" });
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .map((r) => [r.action, r.actorName]),
    ).toEqual([
      ["alerts.ack", "cli"],
      ["monitors.pause", "cli"],
    ]);
  });

  it("an integration token cannot call them (403, audited)", async () => {
    await expect(
      setMonitorPaused({ actor: ci, db }, { monitorId: "health", paused: true }),
    ).rejects.toMatchObject({ status: 403 });
    expect(db.select().from(auditLog).all()).toMatchObject([
      { action: "monitors.set_paused", outcome: "denied", actorName: "integration:ci" },
    ]);
  });

  it("a calendar token is a signed-in user's own; the feed accepts it by its hash", async () => {
    const user = await makeUser(db, "viewer");
    const actor: Actor = { kind: "user", id: user.id, email: user.email, role: user.role };
    const { token } = await createCalendarToken({ actor, db }, {});
    expect(db.select().from(calendarTokens).get()!.tokenHash).not.toContain(token);
    expect(userForCalendarToken(db, token)?.email).toBe(user.email);
    await expect(createCalendarToken({ actor: cli, db }, {})).rejects.toMatchObject({
      status: 403,
    });
  });
});
