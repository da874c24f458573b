import { beforeEach, describe, expect, it } from "vitest";
import { makeUser, testMeta } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { Db } from "@/server/db";
import { auditLog, loginThrottle } from "@/server/db/schema";
import { signInWithPassword, SignInError } from "./credentials";
import { ACCOUNT_FREE_FAILURES, delayAfter, IP_FREE_FAILURES, throttleWait } from "./throttle";

let db: Db;
beforeEach(async () => {
  db = freshDb();
  await makeUser(db, "operator", "olga@example.com");
});

const attempt = (email: string, password: string, ip = "192.0.2.10") =>
  signInWithPassword(db, { email, password }, { ...testMeta, ip });
const outcomes = () =>
  db
    .select()
    .from(auditLog)
    .all()
    .map((r) => [r.outcome, (r.details as { reason?: string } | null)?.reason ?? null]);

describe("password sign-in", () => {
  it("accepts the right password, case-insensitively on the email, and audits it", async () => {
    await expect(attempt("  Olga@Example.com ", "correct-horse-battery")).resolves.toMatchObject({
      email: "olga@example.com",
      sv: 1,
    });
    expect(outcomes()).toEqual([["success", null]]);
    expect(db.select().from(auditLog).get()!.ip).toBe("192.0.2.10");
  });

  it("refuses a wrong password and an unknown account with the same message, both audited", async () => {
    await expect(attempt("olga@example.com", "wrong-password")).rejects.toThrow(
      "Invalid email or password.",
    );
    await expect(attempt("nobody@example.com", "wrong-password")).rejects.toThrow(
      "Invalid email or password.",
    );
    expect(outcomes()).toEqual([
      ["failure", "wrong_password"],
      ["failure", "unknown_account"],
    ]);
  });

  it("rejects malformed input with a clear message before any password work", async () => {
    await expect(attempt(`${"a".repeat(250)}@example.com`, "x")).rejects.toThrow(
      "Email must be at most 254 characters",
    );
    await expect(attempt("olga@example.com", "x".repeat(5000))).rejects.toThrow(
      "Password must be at most 256 characters",
    );
    await expect(
      signInWithPassword(db, { email: ["a"], password: {} }, testMeta),
    ).rejects.toThrow();
    await expect(signInWithPassword(db, undefined, testMeta)).rejects.toThrow(
      "Email and password are required",
    );
    expect(db.select().from(loginThrottle).all()).toHaveLength(0);
  });

  it("throttles an account after repeated failures, even for the right password, with a growing delay", async () => {
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) {
      await expect(
        attempt("olga@example.com", "wrong-password", `198.51.100.${i}`),
      ).rejects.toThrow("Invalid email");
    }
    await expect(attempt("olga@example.com", "correct-horse-battery")).rejects.toThrow(
      /Too many failed sign-ins. Try again in \d+ s/,
    );
    expect(outcomes().at(-1)).toEqual(["denied", "throttled"]);
    expect(delayAfter(ACCOUNT_FREE_FAILURES + 1, ACCOUNT_FREE_FAILURES)).toBe(
      2 * delayAfter(ACCOUNT_FREE_FAILURES, ACCOUNT_FREE_FAILURES),
    );
    expect(delayAfter(100, ACCOUNT_FREE_FAILURES)).toBe(15 * 60_000);
    // Other accounts are not affected.
    await makeUser(db, "viewer", "vic@example.com");
    await expect(
      attempt("vic@example.com", "correct-horse-battery", "203.0.113.5"),
    ).resolves.toBeTruthy();
  });

  it("throttles an address that tries many accounts", async () => {
    for (let i = 0; i < IP_FREE_FAILURES; i++) {
      await expect(
        attempt(`user${i}@example.com`, "wrong-password", "203.0.113.9"),
      ).rejects.toThrow("Invalid email");
    }
    expect(throttleWait(db, { account: "olga@example.com", ip: "203.0.113.9" })).toBeGreaterThan(0);
    await expect(
      attempt("olga@example.com", "correct-horse-battery", "203.0.113.9"),
    ).rejects.toThrow(/Too many/);
    await expect(
      attempt("olga@example.com", "correct-horse-battery", "203.0.113.10"),
    ).resolves.toBeTruthy();
  });

  it("a disabled account is answered exactly as a wrong password is, right password or not", async () => {
    await expect(attempt("olga@example.com", "wrong-password")).rejects.toThrow();
    db.$client.prepare("update users set disabled = 1").run();
    const answers = [];
    for (const password of ["correct-horse-battery", "wrong-password"]) {
      const err = await attempt("olga@example.com", password).catch((e: unknown) => e);
      answers.push([err instanceof SignInError, (err as Error).message]);
    }
    expect(answers).toEqual([
      [true, "Invalid email or password."],
      [true, "Invalid email or password."],
    ]);
    // Same outcome as a wrong password; the reason does not depend on the password either,
    // so a viewer reading the audit log learns nothing about a disabled account's password.
    expect(outcomes()).toEqual([
      ["failure", "wrong_password"],
      ["failure", "disabled"],
      ["failure", "disabled"],
    ]);
    // And the right password did not reset the account's count, as a success would.
    expect(
      db
        .select()
        .from(loginThrottle)
        .all()
        .find((r) => r.key === "account:olga@example.com"),
    ).toMatchObject({ failures: 3 });
  });
});
