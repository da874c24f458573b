import "server-only";
import { desc } from "drizzle-orm";
import { redact } from "@/lib/redact";
import type { DbOrTx } from "@/server/db";
import { auditLog } from "@/server/db/schema";
import { redactSecretsIn } from "@/server/secrets/redact";
import { auditRowHash, GENESIS_HASH } from "./hash";

export type AuditActor = { id: number | null; name: string; role: string | null };
export type RequestMeta = { ip: string | null; userAgent: string | null; requestId: string | null };

export type AuditEntry = {
  action: string;
  outcome?: "success" | "denied" | "failure";
  targetType?: string;
  targetId?: string | number;
  details?: Record<string, unknown>;
};

const MAX_DETAILS_CHARS = 8_000;

/**
 * Appends one row to the hash-chained audit log. Call it inside the transaction
 * that makes the change, so the change and its record commit (or roll back) together.
 */
export function writeAudit(
  db: DbOrTx,
  actor: AuditActor,
  meta: RequestMeta,
  entry: AuditEntry,
  at: Date = new Date(),
): { id: number; hash: string } {
  const last = db
    .select({ id: auditLog.id, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(1)
    .get();
  let details = entry.details ? redactSecretsIn(redact(entry.details)) : null;
  if (details && JSON.stringify(details).length > MAX_DETAILS_CHARS) {
    details = { truncated: true, keys: Object.keys(details) };
  }
  const row = {
    id: (last?.id ?? 0) + 1,
    at,
    actorId: actor.id,
    actorName: actor.name.slice(0, 254),
    actorRole: actor.role,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId === undefined ? null : String(entry.targetId),
    outcome: entry.outcome ?? "success",
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 400) ?? null,
    requestId: meta.requestId,
    details,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = auditRowHash(row);
  db.insert(auditLog)
    .values({ ...row, hash })
    .run();
  return { id: row.id, hash };
}

/** An audit row on its own (no other change), in its own transaction. */
export function recordAudit(
  db: import("@/server/db").Db,
  actor: AuditActor,
  meta: RequestMeta,
  entry: AuditEntry,
): void {
  db.transaction((tx) => void writeAudit(tx, actor, meta, entry), { behavior: "immediate" });
}
