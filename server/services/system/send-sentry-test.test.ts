import { describe, expect, it } from "vitest";
import { auditLog } from "@/server/db/schema";
import { freshDb } from "@/test/db";
import { sendSentryTest } from "./send-sentry-test";

describe("sending a test error to Sentry", () => {
  it("is for admins only (the refusal is audited), and says when Sentry is off", async () => {
    const db = freshDb();
    const operator = { kind: "user", id: 2, email: "op@example.com", role: "operator" } as const;
    await expect(sendSentryTest({ actor: operator, db }, {})).rejects.toMatchObject({
      status: 403,
    });
    expect(db.select().from(auditLog).all()).toMatchObject([
      { action: "sentry.test", outcome: "denied", actorName: "op@example.com" },
    ]);
    await expect(sendSentryTest({ actor: { kind: "cli" }, db }, {})).rejects.toMatchObject({
      status: 409,
      message: "Error tracking is off: SENTRY_DSN is not set.",
    });
  });
});
