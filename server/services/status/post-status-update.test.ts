import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { makeUser } from "@/test/callers";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { alerts, auditLog, statusUpdates } from "@/server/db/schema";
import type { Actor } from "@/server/services/service";
import { postStatusUpdate } from "./post-status-update";

let db: Db;
beforeEach(() => {
  db = freshDb();
  setConfigForTests(
    parseConfigText(
      `
environments: [{ id: production, name: Production }, { id: staging, name: Staging }]
services:
  - { id: api, name: Public API, environments: { production: { url: "http://127.0.0.1:1" } } }
  - { id: internal, name: Internal tool, environments: { production: { url: "http://127.0.0.1:2" } } }
statusPages:
  - { id: public, path: navi, title: Navi status, services: [api], environment: production }
`,
      "test.yaml",
      () => undefined,
    ),
  );
});

function alertOn(labels: Record<string, string>) {
  return db
    .insert(alerts)
    .values({
      ruleId: "api-down",
      fingerprint: JSON.stringify(labels),
      labels,
      severity: "critical",
      summary: "down",
      state: "firing",
      activeAt: new Date(),
      lastActiveAt: new Date(),
      firedAt: new Date(),
    })
    .returning()
    .get();
}

const asUser = async (role: "viewer" | "operator"): Promise<Actor> => ({
  kind: "user",
  ...(await makeUser(db, role)),
});

const update = {
  status: "investigating" as const,
  title: "Sign-in failures",
  message: "Looking into it.",
};

describe("posting a public status update", () => {
  it("an operator posts one: stored with who and which pages, audited in the same transaction", async () => {
    const alert = alertOn({ service: "api", environment: "production" });
    const operator = await asUser("operator");
    expect(
      await postStatusUpdate({ actor: operator, db }, { alertId: alert.id, ...update }),
    ).toEqual({
      updateId: 1,
      statusPages: ["navi"],
    });
    expect(db.select().from(statusUpdates).all()).toMatchObject([
      {
        alertId: alert.id,
        service: "api",
        statusPages: ["public"],
        status: "investigating",
        title: "Sign-in failures",
        message: "Looking into it.",
        author: "operator@example.com",
      },
    ]);
    expect(db.select().from(auditLog).all()).toMatchObject([
      {
        action: "status.post_update",
        outcome: "success",
        actorName: "operator@example.com",
        targetType: "alert",
        targetId: String(alert.id),
      },
    ]);
    // A later update needs no title; a title given then does not rename the incident.
    await postStatusUpdate(
      { actor: operator, db },
      { alertId: alert.id, status: "resolved", title: "Other", message: "Fixed." },
    );
    expect(
      db
        .select()
        .from(statusUpdates)
        .all()
        .map((u) => u.title),
    ).toEqual(["Sign-in failures", null]);
  });

  it("refuses a viewer (403, audited as denied, nothing stored)", async () => {
    const alert = alertOn({ service: "api", environment: "production" });
    await expect(
      postStatusUpdate({ actor: await asUser("viewer"), db }, { alertId: alert.id, ...update }),
    ).rejects.toMatchObject({ status: 403 });
    expect(db.select().from(statusUpdates).all()).toEqual([]);
    expect(db.select().from(auditLog).all()).toMatchObject([
      { action: "status.post_update", outcome: "denied", actorName: "viewer@example.com" },
    ]);
  });

  it("refuses bad input with a clear message and stores nothing", async () => {
    const alert = alertOn({ service: "api", environment: "production" });
    const actor = await asUser("operator");
    const refused = (input: Record<string, unknown>) =>
      postStatusUpdate({ actor, db }, { alertId: alert.id, ...update, ...input } as never);
    await expect(refused({ message: "x".repeat(2001) })).rejects.toMatchObject({
      status: 400,
      message: "a message is at most 2000 characters",
    });
    await expect(refused({ message: "   " })).rejects.toMatchObject({
      status: 400,
      message: "write what the public should know",
    });
    await expect(refused({ status: "fixed" })).rejects.toMatchObject({
      status: 400,
      message: "expected one of: investigating, identified, monitoring, resolved",
    });
    await expect(refused({ title: "" })).rejects.toMatchObject({
      status: 400,
      message: "The first public update needs a title.",
    });
    await expect(refused({ alertId: 999 })).rejects.toMatchObject({ status: 404 });
    expect(db.select().from(statusUpdates).all()).toEqual([]);
  });

  it("refuses an alert about a service, or an environment, that no status page shows", async () => {
    const actor = await asUser("operator");
    for (const [labels, message] of [
      [
        { service: "internal", environment: "production" },
        'service "internal" in production, which no status page shows',
      ],
      [
        { service: "api", environment: "staging" },
        'service "api" in staging, which no status page shows',
      ],
      [{ alertname: "x" }, "is not about one service"],
    ] as const) {
      const alert = alertOn(labels);
      await expect(
        postStatusUpdate({ actor, db }, { alertId: alert.id, ...update }),
      ).rejects.toMatchObject({ status: 422, message: expect.stringContaining(message) });
    }
    expect(db.select().from(statusUpdates).all()).toEqual([]);
  });
});
