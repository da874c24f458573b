import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { makeUser, testMeta } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { Db } from "@/server/db";
import { auditLog, loginThrottle } from "@/server/db/schema";
import { verifyAuditChain } from "@/server/audit/verify";
import { signInWithPassword } from "./credentials";
import { getAuthOptions } from "./options";
import { ACCOUNT_FREE_FAILURES, IP_FREE_FAILURES, pruneThrottle } from "./throttle";

const spy = vi.hoisted(() => ({ checks: 0, ip: "198.51.100.1" }));

// Counts real password checks (argon2 runs on libuv's thread pool, so parallel
// sign-ins really do verify at the same time).
vi.mock("./password", async (original) => {
  const real = await original<typeof import("./password")>();
  return {
    ...real,
    verifyPassword: (stored: string | null, password: string) => {
      spy.checks++;
      return real.verifyPassword(stored, password);
    },
  };
});
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({ "x-opsdeck-client-ip": spy.ip, "user-agent": "vitest", "x-request-id": "r" }),
  cookies: async () => ({ get: () => undefined }),
}));

type Authorize = (credentials: Record<string, string>, req: unknown) => Promise<unknown>;
function passwordAuthorize(): Authorize {
  const provider = getAuthOptions().providers.find((p) => p.id === "credentials") as unknown as {
    options: { authorize: Authorize };
  };
  return provider.options.authorize;
}

let db: Db;
beforeEach(async () => {
  // The clock stands still unless a test moves it: a block lasts exactly as long as
  // the test says, however slow the machine (argon2 runs for real).
  vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:00Z") });
  db = freshDb();
  spy.checks = 0;
  spy.ip = "198.51.100.1";
  await makeUser(db, "operator", "olga@example.com");
});

afterEach(() => {
  vi.useRealTimers();
});

const throttled = () =>
  db
    .select()
    .from(auditLog)
    .all()
    .filter((r) => (r.details as { reason?: string } | null)?.reason === "throttled");

async function guessInParallel(n: number, password = "wrong-password") {
  const authorize = passwordAuthorize();
  return Promise.allSettled(
    Array.from({ length: n }, () => authorize({ email: "olga@example.com", password }, undefined)),
  );
}

/** Fails the account until it is blocked, then lets the block run out. */
async function blockThenExpire() {
  for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) {
    spy.ip = `203.0.113.${i}`;
    await passwordAuthorize()({ email: "olga@example.com", password: "wrong" }, undefined).catch(
      () => undefined,
    );
  }
  const row = db
    .select()
    .from(loginThrottle)
    .where(eq(loginThrottle.key, "account:olga@example.com"))
    .get()!;
  expect(row.blockedUntil!.getTime()).toBeGreaterThan(Date.now());
  vi.setSystemTime(row.blockedUntil!.getTime() + 1);
  spy.checks = 0;
  spy.ip = "198.51.100.77";
}

describe("the sign-in throttle counts before it checks", () => {
  it(
    "200 parallel guesses at a fresh account get exactly the free attempts",
    { timeout: 120_000 },
    async () => {
      const results = await guessInParallel(200);
      expect(results.every((r) => r.status === "rejected")).toBe(true);
      expect(spy.checks).toBeLessThanOrEqual(ACCOUNT_FREE_FAILURES);
      expect(spy.checks).toBeGreaterThan(0);
    },
  );

  it(
    "200 parallel guesses right after a block expires get one real password check",
    { timeout: 120_000 },
    async () => {
      await blockThenExpire();
      const results = await guessInParallel(200);
      expect(spy.checks).toBe(1);
      const messages = results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"));
      expect(messages.filter((m) => m.includes("Too many failed sign-ins"))).toHaveLength(199);
    },
  );

  it("the right password, sent in parallel with guesses after a block, is at most one of the checks", async () => {
    await blockThenExpire();
    await guessInParallel(50, "correct-horse-battery");
    expect(spy.checks).toBe(1);
  });

  it("a successful sign-in gives back the address's attempt and clears the account's count", async () => {
    spy.ip = "192.0.2.99";
    for (let i = 0; i < IP_FREE_FAILURES - 1; i++) {
      await passwordAuthorize()({ email: `u${i}@example.com`, password: "x" }, undefined).catch(
        () => undefined,
      );
    }
    // The 20th attempt from this address is the right one: it must not block the address.
    await expect(
      passwordAuthorize()({ email: "olga@example.com", password: "correct-horse-battery" }, {}),
    ).resolves.toBeTruthy();
    const ip = db.select().from(loginThrottle).where(eq(loginThrottle.key, "ip:192.0.2.99")).get()!;
    expect(ip).toMatchObject({ failures: IP_FREE_FAILURES - 1, blockedUntil: null });
    const account = db
      .select()
      .from(loginThrottle)
      .where(eq(loginThrottle.key, "account:olga@example.com"))
      .get();
    expect(account?.failures ?? 0).toBe(0);
  });
});

describe("throttled sign-ins do not flood the audit log", () => {
  it(
    "2,000 throttled attempts write one row per key per window, with their count",
    { timeout: 120_000 },
    async () => {
      await blockThenExpire();
      // Block the account again (this one guess counts), then hammer it.
      await guessInParallel(1);
      const attempts = 2_000;
      for (let i = 0; i < attempts; i++) {
        // Each from another address, as a botnet would: the account key is the one throttled.
        spy.ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        await expect(
          signInWithPassword(
            db,
            { email: "olga@example.com", password: `guess-${i}` },
            { ...testMeta, ip: spy.ip },
          ),
        ).rejects.toThrow(/Too many failed sign-ins/);
      }
      expect(spy.checks).toBe(1);
      const rows = throttled();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        outcome: "denied",
        action: "auth.login",
        details: { key: "account:olga@example.com" },
      });
      // The rest are counted and written as one closing row when housekeeping forgets the key.
      pruneThrottle(db, Date.now() + 24 * 3600_000);
      const after = throttled();
      expect(after).toHaveLength(2);
      const total = after.reduce((n, r) => n + (r.details as { count: number }).count, 0);
      expect(total).toBe(attempts);
      expect(verifyAuditChain(db).ok).toBe(true);
    },
  );

  it(
    "an address throttled across many accounts is one key, however many emails it tries",
    { timeout: 120_000 },
    async () => {
      spy.ip = "203.0.113.200";
      for (let i = 0; i < IP_FREE_FAILURES; i++) {
        await signInWithPassword(
          db,
          { email: `u${i}@example.com`, password: "x" },
          { ...testMeta, ip: spy.ip },
        ).catch(() => undefined);
      }
      for (let i = 0; i < 500; i++) {
        await expect(
          signInWithPassword(
            db,
            { email: `victim${i}@example.com`, password: "x" },
            { ...testMeta, ip: spy.ip },
          ),
        ).rejects.toThrow(/Too many/);
      }
      expect(throttled()).toHaveLength(1);
      expect(throttled()[0]!.details).toMatchObject({ key: "ip:203.0.113.200" });
    },
  );
});
