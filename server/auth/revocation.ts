import "server-only";
import { eq, lt } from "drizzle-orm";
import { writeAudit, type AuditActor, type RequestMeta } from "@/server/audit/write";
import type { Db } from "@/server/db";
import { sessionRevocations } from "@/server/db/schema";

/** A token may be this much older than its maxAge says and still decode (next-auth's tolerance). */
const CLOCK_TOLERANCE_MS = 60_000;

/**
 * Ends one session (one browser's sign-in) on the server: its tokens, copies
 * included, are refused from now on. Kept until every token of it has expired,
 * which is at most `maxAgeSeconds` after now; expired entries are cleared here.
 */
export function revokeSession(
  db: Db,
  session: { sid: string; userId: number },
  maxAgeSeconds: number,
  actor: AuditActor,
  meta: RequestMeta,
  now = Date.now(),
): void {
  db.transaction(
    (tx) => {
      tx.delete(sessionRevocations)
        .where(lt(sessionRevocations.expiresAt, new Date(now)))
        .run();
      tx.insert(sessionRevocations)
        .values({
          sid: session.sid,
          userId: session.userId,
          revokedAt: new Date(now),
          expiresAt: new Date(now + maxAgeSeconds * 1000 + CLOCK_TOLERANCE_MS),
        })
        .onConflictDoNothing()
        .run();
      writeAudit(tx, actor, meta, { action: "auth.logout" });
    },
    { behavior: "immediate" },
  );
}

export function isSessionRevoked(db: Db, sid: string): boolean {
  return !!db
    .select({ sid: sessionRevocations.sid })
    .from(sessionRevocations)
    .where(eq(sessionRevocations.sid, sid))
    .get();
}
