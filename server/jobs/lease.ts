import "server-only";
import { and, eq, gt, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { leases } from "@/server/db/schema";

/**
 * Takes or renews the named lease for `holder` until now + ttl. Succeeds when the
 * lease is free, expired, or already ours; one statement, so two processes can
 * never both hold it.
 */
export function acquireLease(
  db: Db,
  name: string,
  holder: string,
  ttlMs: number,
  now = Date.now(),
): boolean {
  const row = db
    .insert(leases)
    .values({ name, holder, expiresAt: new Date(now + ttlMs), acquiredAt: new Date(now) })
    .onConflictDoUpdate({
      target: leases.name,
      set: {
        holder: sql`excluded.holder`,
        expiresAt: sql`excluded.expires_at`,
        acquiredAt: sql`case when ${leases.holder} = excluded.holder then ${leases.acquiredAt} else excluded.acquired_at end`,
      },
      setWhere: sql`${leases.holder} = excluded.holder or ${leases.expiresAt} <= ${now}`,
    })
    .returning({ holder: leases.holder })
    .get();
  return row?.holder === holder;
}

export function releaseLease(db: Db, name: string, holder: string): void {
  db.delete(leases)
    .where(and(eq(leases.name, name), eq(leases.holder, holder)))
    .run();
}

export function leaseHolder(
  db: Db,
  name: string,
  now = Date.now(),
): { holder: string; expiresAt: Date } | undefined {
  return db
    .select({ holder: leases.holder, expiresAt: leases.expiresAt })
    .from(leases)
    .where(and(eq(leases.name, name), gt(leases.expiresAt, new Date(now))))
    .get();
}
