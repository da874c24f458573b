import "server-only";
import { and, eq, gt, inArray, lt, sql } from "drizzle-orm";
import { writeAudit, type RequestMeta } from "@/server/audit/write";
import type { Db, DbOrTx } from "@/server/db";
import { loginThrottle } from "@/server/db/schema";

/** Failures allowed before delays start, per account and per client address. */
export const ACCOUNT_FREE_FAILURES = 5;
export const IP_FREE_FAILURES = 20;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15 * 60_000;
/** Doubling stops here: BASE_DELAY_MS · 2^10 is past MAX_DELAY_MS already. */
const MAX_DOUBLINGS = 10;
/** A key with no failure for this long starts again from zero. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Throttled attempts on one key make at most one audit row per this long. */
export const DENIAL_AUDIT_WINDOW_MS = 15 * 60_000;

export type ThrottleKeys = { account: string; ip: string | null };

const accountKey = (k: ThrottleKeys) => `account:${k.account}`;
const ipKey = (k: ThrottleKeys) => (k.ip ? `ip:${k.ip}` : null);

/** Delay after the n-th consecutive failure: none up to `free`, then 1 s, 2 s, 4 s … up to 15 min. */
export function delayAfter(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** (failures - free), MAX_DELAY_MS);
}

// delayAfter in SQL, for the count a key has after this attempt. Which allowance
// applies is read from the key's prefix, so one statement serves both keys.
const FREE = sql.raw(
  `(case when substr(key, 1, 3) = 'ip:' then ${IP_FREE_FAILURES} else ${ACCOUNT_FREE_FAILURES} end)`,
);
const delaySql = (count: ReturnType<typeof sql>) =>
  sql`(case when ${count} < ${FREE} then null else min(${MAX_DELAY_MS}, ${BASE_DELAY_MS} * (1 << min(${count} - ${FREE}, ${MAX_DOUBLINGS}))) end)`;

export type Claim = { allowed: true } | { allowed: false; waitMs: number; blockedKey: string };

/**
 * Counts this sign-in attempt against the account and the address, and decides, in
 * one statement: when either key is blocked nothing is counted and the attempt is
 * refused; otherwise both keys count it (and block themselves if this attempt uses
 * up their allowance) before any password is checked. Parallel attempts therefore
 * cannot all pass a check made before the first of them is recorded.
 */
export function claimAttempt(db: Db, k: ThrottleKeys, now = Date.now()): Claim {
  const keys = [accountKey(k), ipKey(k)].filter((key): key is string => key !== null);
  const stale = sql`${now} - ${loginThrottle.lastFailureAt} > ${FORGET_AFTER_MS}`;
  const counted = sql`(case when ${stale} then 1 else ${loginThrottle.failures} + 1 end)`;
  const rows = db.all<{ key: string }>(sql`
    insert into login_throttle (key, failures, last_failure_at, blocked_until)
    select c.key, 1, ${now}, ${now} + ${delaySql(sql`1`)}
    from (select ${keys[0]} as key ${keys[1] ? sql`union all select ${keys[1]}` : sql``}) as c
    where not exists (
      select 1 from login_throttle t where t.key in ${keys} and t.blocked_until > ${now}
    )
    on conflict (key) do update set
      failures = ${counted},
      last_failure_at = ${now},
      blocked_until = ${now} + ${delaySql(counted)}
    returning key`);
  if (rows.length > 0) return { allowed: true };

  const blocked = db
    .select()
    .from(loginThrottle)
    .where(and(inArray(loginThrottle.key, keys), gt(loginThrottle.blockedUntil, new Date(now))))
    .all();
  // The address when it is blocked (it covers every account it tries), else the account.
  const blocking =
    blocked.find((r) => r.key.startsWith("ip:")) ??
    blocked.find((r) => r.key.startsWith("account:"));
  if (!blocking) return claimAttempt(db, k, now); // the block ended between the two statements
  return {
    allowed: false,
    waitMs: blocking.blockedUntil!.getTime() - now,
    blockedKey: blocking.key,
  };
}

/**
 * A sign-in succeeded: the account starts from zero and the address gets this
 * attempt back (lifting a block that only this attempt caused).
 */
export function refundAttempt(db: Db, k: ThrottleKeys): void {
  db.transaction(
    (tx) => {
      tx.update(loginThrottle)
        .set({ failures: 0, blockedUntil: null })
        .where(eq(loginThrottle.key, accountKey(k)))
        .run();
      const ip = ipKey(k);
      if (!ip) return;
      tx.update(loginThrottle)
        .set({
          failures: sql`max(${loginThrottle.failures} - 1, 0)`,
          blockedUntil: sql`case when ${loginThrottle.failures} - 1 < ${IP_FREE_FAILURES} then null else ${loginThrottle.blockedUntil} end`,
        })
        .where(eq(loginThrottle.key, ip))
        .run();
    },
    { behavior: "immediate" },
  );
}

/**
 * Audits a refused, throttled attempt without letting a flood of them flood the
 * log: the first one on a key in each window writes a row with the number of
 * throttled attempts on that key since its previous row; the rest are only counted.
 */
export function recordThrottled(
  db: Db,
  claim: Extract<Claim, { allowed: false }>,
  actor: { name: string },
  meta: RequestMeta,
  now = Date.now(),
): void {
  db.transaction(
    (tx) => {
      const row = tx
        .select()
        .from(loginThrottle)
        .where(eq(loginThrottle.key, claim.blockedKey))
        .get();
      if (!row) return;
      const last = row.deniedAuditedAt?.getTime();
      if (last !== undefined && last > now - DENIAL_AUDIT_WINDOW_MS) {
        tx.update(loginThrottle)
          .set({ denied: sql`${loginThrottle.denied} + 1` })
          .where(eq(loginThrottle.key, row.key))
          .run();
        return;
      }
      writeDenialRow(tx, row.key, row.denied + 1, actor.name, meta, {
        retryAfterSeconds: Math.ceil(claim.waitMs / 1000),
      });
      tx.update(loginThrottle)
        .set({ denied: 0, deniedAuditedAt: new Date(now) })
        .where(eq(loginThrottle.key, row.key))
        .run();
    },
    { behavior: "immediate" },
  );
}

function writeDenialRow(
  tx: DbOrTx,
  key: string,
  count: number,
  actorName: string,
  meta: RequestMeta,
  extra: Record<string, unknown> = {},
) {
  writeAudit(tx, { id: null, name: actorName, role: null }, meta, {
    action: "auth.login",
    outcome: "denied",
    details: { reason: "throttled", key, count, ...extra },
  });
}

/** Milliseconds the caller must still wait, or 0 when a sign-in may be attempted now. */
export function throttleWait(db: Db, k: ThrottleKeys, now = Date.now()): number {
  const keys = [accountKey(k), ipKey(k)].filter((key): key is string => key !== null);
  const rows = db.select().from(loginThrottle).where(inArray(loginThrottle.key, keys)).all();
  return Math.max(0, ...rows.map((r) => (r.blockedUntil?.getTime() ?? 0) - now));
}

/**
 * Housekeeping: forget keys with no recent attempt, first writing one closing audit
 * row for the throttled attempts each still counts.
 */
export function pruneThrottle(db: Db, now = Date.now()): number {
  const cutoff = new Date(now - FORGET_AFTER_MS);
  return db.transaction(
    (tx) => {
      const old = tx.select().from(loginThrottle).where(lt(loginThrottle.lastFailureAt, cutoff));
      for (const row of old.all()) {
        if (row.denied > 0)
          writeDenialRow(tx, row.key, row.denied, row.key.replace(/^\w+:/, ""), {
            ip: null,
            userAgent: null,
            requestId: null,
          });
      }
      return tx.delete(loginThrottle).where(lt(loginThrottle.lastFailureAt, cutoff)).run().changes;
    },
    { behavior: "immediate" },
  );
}
