import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { actAs, makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { Db } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";
import { verifyAuditChain } from "@/server/audit/verify";
import { authAction, ActionError } from "./action";

const rename = authAction({
  name: "test.rename",
  role: "operator",
  input: z.strictObject({ userId: z.number().int(), name: z.string().min(1).max(20) }),
  run(ctx, input) {
    return ctx.commit(
      { action: "test.rename", targetType: "user", targetId: input.userId },
      (tx) => {
        const changed = tx
          .update(users)
          .set({ name: input.name })
          .where(eq(users.id, input.userId))
          .run().changes;
        if (changed === 0) throw new ActionError(404, "No such user.");
        if (input.name === "boom") throw new Error("disk I/O error");
        return { renamed: true };
      },
    );
  },
});

const forgetful = authAction({
  name: "test.forgetful",
  role: "viewer",
  input: z.strictObject({}),
  run: () => ({ done: true }),
});

let db: Db;
beforeEach(() => {
  db = freshDb();
});

const audits = () => db.select().from(auditLog).all();

describe("authAction", () => {
  it("401 without a session, and nothing is written", async () => {
    actAs(null);
    expect(await rename({ userId: 1, name: "x" })).toMatchObject({ ok: false, status: 401 });
    expect(audits()).toHaveLength(0);
  });

  it("403 for a role below the action's, audited as denied", async () => {
    const viewer = await makeUser(db, "viewer");
    actAs(viewer);
    expect(await rename({ userId: viewer.id, name: "x" })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(db.select().from(users).where(eq(users.id, viewer.id)).get()!.name).toBe("Viewer");
    expect(audits()).toMatchObject([
      { action: "test.rename", outcome: "denied", actorId: viewer.id, ip: "192.0.2.10" },
    ]);
  });

  it("400 with every issue for bad input, hostile input included", async () => {
    const op = await makeUser(db, "operator");
    actAs(op);
    for (const bad of [
      { userId: "1; drop table users", name: "x" },
      { userId: 1, name: "x".repeat(10_000) },
      { userId: 1, name: "x", role: "admin" },
      null,
      "not an object",
    ]) {
      const result = await rename(bad as never);
      expect(result).toMatchObject({ ok: false, status: 400 });
    }
    const result = await rename({ name: "" } as never);
    expect(result.ok === false && result.issues!.map((i) => i.path)).toEqual(["userId", "name"]);
    expect(audits()).toHaveLength(0);
  });

  it("commits the change and its audit row together", async () => {
    const op = await makeUser(db, "operator");
    actAs(op);
    expect(await rename({ userId: op.id, name: "Olga" })).toEqual({
      ok: true,
      data: { renamed: true },
    });
    expect(audits()).toMatchObject([
      {
        action: "test.rename",
        outcome: "success",
        actorName: "operator@example.com",
        targetId: String(op.id),
        requestId: "req-test",
      },
    ]);
    expect(verifyAuditChain(db).ok).toBe(true);
  });

  it("a failed change leaves neither the change nor an audit row", async () => {
    const op = await makeUser(db, "operator");
    actAs(op);
    const result = await rename({ userId: op.id, name: "boom" });
    expect(result).toMatchObject({
      ok: false,
      status: 500,
      error: expect.stringContaining("nothing was changed"),
    });
    expect(result.ok === false && result.error).toContain("req-test");
    expect(db.select().from(users).where(eq(users.id, op.id)).get()!.name).toBe("Operator");
    expect(audits()).toHaveLength(0);
    expect(await rename({ userId: 999, name: "x" })).toMatchObject({ ok: false, status: 404 });
  });

  it("an action that forgets its audit entry fails loudly", async () => {
    actAs(await makeUser(db, "viewer"));
    expect(await forgetful({})).toMatchObject({ ok: false, status: 500 });
  });
});
