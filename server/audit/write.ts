import "server-only";
import { redact } from "@/lib/redact";
import type { DbOrTx } from "@/server/db";
import { auditLog } from "@/server/db/schema";
import { chainHead, chainKey } from "./checkpoint";
import { auditRowHash } from "./hash";
import { redactSecretsIn } from "@/server/secrets/redact";

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
 * Appends one row to the audit log, chained to the row before by an HMAC under the
 * audit key (server/audit/key.ts). Call it inside the transaction that makes the
 * change, so the change and its record commit (or roll back) together. Throws an
 * AuditKeyError when the key is missing or not the log's: nothing is then stored.
 */
export function writeAudit(
  db: DbOrTx,
  actor: AuditActor,
  meta: RequestMeta,
  entry: AuditEntry,
  at: Date = new Date(),
): { id: number; hash: string } {
  const key = chainKey(db);
  const head = chainHead(db);
  let details = entry.details ? redactSecretsIn(redact(entry.details)) : null;
  if (details && JSON.stringify(details).length > MAX_DETAILS_CHARS) {
    details = { truncated: true, keys: Object.keys(details) };
  }
  const row = {
    id: head.rowId + 1,
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
    prevHash: head.rowHash,
  };
  const hash = auditRowHash(row, key.secret);
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
