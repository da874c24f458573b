import "server-only";
import { and, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { leases } from "@/server/db/schema";

/**
 * A lease holder's fencing token. The epoch goes up at every new tenure, so a holder
 * that stalled past its lease (and maybe took it again later) cannot pass an old
 * token off as current: writes made under the lease check it in their transaction.
 */
export type LeaseToken = { holder: string; epoch: number };

/**
 * Takes or renews the named lease for `holder` until now + ttl, and returns the
 * token, or null when someone else holds it. Succeeds when the lease is free,
 * expired, or already ours; one statement, so two processes can never both hold it.
 */
export function takeLease(
  db: DbOrTx,
  name: string,
  holder: string,
  ttlMs: number,
  now = Date.now(),
): LeaseToken | null {
  const renewal = sql`${leases.holder} = excluded.holder and ${leases.expiresAt} > ${now}`;
  const row = db
    .insert(leases)
    .values({
      name,
      holder,
      expiresAt: new Date(now + ttlMs),
      acquiredAt: new Date(now),
      epoch: 1,
    })
    .onConflictDoUpdate({
      target: leases.name,
      set: {
        holder: sql`excluded.holder`,
        expiresAt: sql`excluded.expires_at`,
        acquiredAt: sql`case when ${renewal} then ${leases.acquiredAt} else excluded.acquired_at end`,
        epoch: sql`case when ${renewal} then ${leases.epoch} else ${leases.epoch} + 1 end`,
      },
      setWhere: sql`${leases.holder} = excluded.holder or ${leases.expiresAt} <= ${now}`,
    })
    .returning({ holder: leases.holder, epoch: leases.epoch })
    .get();
  return row?.holder === holder ? { holder, epoch: row.epoch } : null;
}

/** Takes or renews the lease; true when `holder` holds it now. */
export function acquireLease(
  db: DbOrTx,
  name: string,
  holder: string,
  ttlMs: number,
  now = Date.now(),
): boolean {
  return takeLease(db, name, holder, ttlMs, now) !== null;
}

/** Whether `token` is still the current, unexpired tenure of the lease (call it inside the write's transaction). */
export function holdsLease(
  db: DbOrTx,
  name: string,
  token: LeaseToken | null,
  now = Date.now(),
): boolean {
  if (!token) return false;
  const row = db
    .select({ name: leases.name })
    .from(leases)
    .where(
      and(
        eq(leases.name, name),
        eq(leases.holder, token.holder),
        eq(leases.epoch, token.epoch),
        gt(leases.expiresAt, new Date(now)),
      ),
    )
    .get();
  return row !== undefined;
}

/** Ends the holder's tenure. The row stays (expired), so the next tenure's epoch is higher. */
export function releaseLease(db: DbOrTx, name: string, holder: string): void {
  db.update(leases)
    .set({ expiresAt: new Date(0) })
    .where(and(eq(leases.name, name), eq(leases.holder, holder)))
    .run();
}

export function leaseHolder(
  db: DbOrTx,
  name: string,
  now = Date.now(),
): { holder: string; expiresAt: Date; epoch: number } | undefined {
  return db
    .select({ holder: leases.holder, expiresAt: leases.expiresAt, epoch: leases.epoch })
    .from(leases)
    .where(and(eq(leases.name, name), gt(leases.expiresAt, new Date(now))))
    .get();
}
