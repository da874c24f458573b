import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actAs, makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { loadActiveUser, type SessionUser } from "@/server/auth/session";
import { signInWithPassword } from "@/server/auth/credentials";
import type { Db } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";
import { changeUserRole } from "./change-user-role";
import { createUser } from "./create-user";
import { resetUserPassword } from "./reset-user-password";
import { setUserDisabled } from "./set-user-disabled";

let db: Db;
let admin: SessionUser;
beforeEach(async () => {
  db = freshDb();
  admin = await makeUser(db, "admin", "ada@example.com");
  actAs(admin);
});

const row = (id: number) => db.select().from(users).where(eq(users.id, id)).get()!;
const lastAudit = () => db.select().from(auditLog).all().at(-1)!;

describe("user management", () => {
  it("creates a user who can then sign in; the audit row names who, what and where", async () => {
    const result = await createUser({
      email: "New@Example.com",
      name: "Nia",
      role: "operator",
      password: "a-long-enough-pw",
    });
    expect(result.ok).toBe(true);
    await expect(
      signInWithPassword(
        db,
        { email: "new@example.com", password: "a-long-enough-pw" },
        { ip: null, userAgent: null, requestId: null },
      ),
    ).resolves.toBeTruthy();
    expect(
      db.select().from(auditLog).where(eq(auditLog.action, "users.create")).get(),
    ).toMatchObject({
      actorName: "ada@example.com",
      ip: "192.0.2.10",
      details: { email: "new@example.com", name: "Nia", role: "operator" },
    });
    expect(JSON.stringify(db.select().from(auditLog).all())).not.toContain("a-long-enough-pw");
  });

  it("refuses a duplicate email, a short password and a bad role", async () => {
    await createUser({
      email: "dup@example.com",
      name: "A",
      role: "viewer",
      password: "a-long-enough-pw",
    });
    expect(
      await createUser({
        email: "DUP@example.com",
        name: "B",
        role: "viewer",
        password: "a-long-enough-pw",
      }),
    ).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(
      await createUser({ email: "x@example.com", name: "B", role: "viewer", password: "short" }),
    ).toMatchObject({
      ok: false,
      status: 400,
      issues: [{ path: "password", message: "Password must be at least 12 characters" }],
    });
    expect(
      await createUser({
        email: "x@example.com",
        name: "B",
        role: "root" as never,
        password: "a-long-enough-pw",
      }),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(db.select().from(users).all()).toHaveLength(2);
  });

  it("changing a role ends the user's sessions and takes effect at once", async () => {
    const vic = await makeUser(db, "viewer", "vic@example.com");
    expect(loadActiveUser(vic.id, 1)?.role).toBe("viewer");
    expect(await changeUserRole({ userId: vic.id, role: "operator" })).toMatchObject({ ok: true });
    expect(loadActiveUser(vic.id, 1)).toBeNull();
    expect(loadActiveUser(vic.id, 2)?.role).toBe("operator");
    expect(lastAudit()).toMatchObject({
      action: "users.change_role",
      details: { from: "viewer", to: "operator" },
    });
  });

  it("the last active admin cannot be demoted or disabled, and nobody disables themselves", async () => {
    expect(await changeUserRole({ userId: admin.id, role: "viewer" })).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(await setUserDisabled({ userId: admin.id, disabled: true })).toMatchObject({
      ok: false,
      status: 409,
    });
    const second = await makeUser(db, "admin", "bo@example.com");
    expect(await setUserDisabled({ userId: admin.id, disabled: true })).toMatchObject({
      ok: false,
      error: "You cannot disable your own account.",
    });
    expect(await setUserDisabled({ userId: second.id, disabled: true })).toMatchObject({
      ok: true,
    });
    expect(await changeUserRole({ userId: admin.id, role: "viewer" })).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(row(admin.id).role).toBe("admin");
  });

  it("disabling signs the user out; enabling lets them back in", async () => {
    const vic = await makeUser(db, "viewer", "vic@example.com");
    await setUserDisabled({ userId: vic.id, disabled: true });
    expect(loadActiveUser(vic.id, row(vic.id).sessionVersion)).toBeNull();
    expect(lastAudit().action).toBe("users.disable");
    await setUserDisabled({ userId: vic.id, disabled: false });
    expect(loadActiveUser(vic.id, row(vic.id).sessionVersion)?.email).toBe("vic@example.com");
  });

  it("resets a password: the old one stops working, sessions end", async () => {
    const vic = await makeUser(db, "viewer", "vic@example.com");
    expect(
      await resetUserPassword({ userId: vic.id, password: "brand-new-password" }),
    ).toMatchObject({ ok: true });
    const meta = { ip: null, userAgent: null, requestId: null };
    await expect(
      signInWithPassword(db, { email: "vic@example.com", password: "correct-horse-battery" }, meta),
    ).rejects.toThrow();
    await expect(
      signInWithPassword(db, { email: "vic@example.com", password: "brand-new-password" }, meta),
    ).resolves.toBeTruthy();
    expect(loadActiveUser(vic.id, 1)).toBeNull();
    expect(await resetUserPassword({ userId: 9999, password: "brand-new-password" })).toMatchObject(
      { ok: false, status: 404 },
    );
  });

  it("only admins manage users", async () => {
    const op = await makeUser(db, "operator", "op@example.com");
    actAs(op);
    for (const result of [
      await createUser({
        email: "z@example.com",
        name: "Z",
        role: "admin",
        password: "a-long-enough-pw",
      }),
      await changeUserRole({ userId: op.id, role: "admin" }),
      await setUserDisabled({ userId: admin.id, disabled: true }),
      await resetUserPassword({ userId: admin.id, password: "attacker-password" }),
    ]) {
      expect(result).toMatchObject({ ok: false, status: 403 });
    }
    expect(row(op.id).role).toBe("operator");
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .filter((r) => r.outcome === "denied"),
    ).toHaveLength(4);
  });
});
