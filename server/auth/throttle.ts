import "server-only";
import { eq, lt } from "drizzle-orm";
import type { Db } from "@/server/db";
import { loginThrottle } from "@/server/db/schema";

/** Failures allowed before delays start, per account and per client address. */
export const ACCOUNT_FREE_FAILURES = 5;
export const IP_FREE_FAILURES = 20;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15 * 60_000;
/** A key with no failure for this long starts again from zero. */
const FORGET_AFTER_MS = 60 * 60_000;

export type ThrottleKeys = { account: string; ip: string | null };

function keysOf(k: ThrottleKeys): { key: string; free: number }[] {
  const keys = [{ key: `account:${k.account}`, free: ACCOUNT_FREE_FAILURES }];
  if (k.ip) keys.push({ key: `ip:${k.ip}`, free: IP_FREE_FAILURES });
  return keys;
}

/** Delay after the n-th consecutive failure: none up to `free`, then 1 s, 2 s, 4 s … up to 15 min. */
export function delayAfter(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** (failures - free), MAX_DELAY_MS);
}

/** Milliseconds the caller must still wait, or 0 when a sign-in may be attempted now. */
export function throttleWait(db: Db, k: ThrottleKeys, now = Date.now()): number {
  let wait = 0;
  for (const { key } of keysOf(k)) {
    const row = db.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
    if (row?.blockedUntil && row.blockedUntil.getTime() > now) {
      wait = Math.max(wait, row.blockedUntil.getTime() - now);
    }
  }
  return wait;
}

export function recordFailure(db: Db, k: ThrottleKeys, now = Date.now()): void {
  db.transaction(
    (tx) => {
      for (const { key, free } of keysOf(k)) {
        const row = tx.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
        const stale = !row || now - row.lastFailureAt.getTime() > FORGET_AFTER_MS;
        const failures = stale ? 1 : row.failures + 1;
        const delay = delayAfter(failures, free);
        const values = {
          key,
          failures,
          lastFailureAt: new Date(now),
          blockedUntil: delay > 0 ? new Date(now + delay) : null,
        };
        tx.insert(loginThrottle)
          .values(values)
          .onConflictDoUpdate({ target: loginThrottle.key, set: values })
          .run();
      }
    },
    { behavior: "immediate" },
  );
}

/** A successful sign-in clears the account's count; the address keeps its history. */
export function recordSuccess(db: Db, k: ThrottleKeys): void {
  db.delete(loginThrottle)
    .where(eq(loginThrottle.key, `account:${k.account}`))
    .run();
}

/** Housekeeping: forget keys with no recent failure. */
export function pruneThrottle(db: Db, now = Date.now()): number {
  return db
    .delete(loginThrottle)
    .where(lt(loginThrottle.lastFailureAt, new Date(now - FORGET_AFTER_MS)))
    .run().changes;
}
