import "server-only";
import type { Db } from "@/server/db";
import { auditRowHash, GENESIS_HASH } from "./hash";

export type ChainReport =
  | { ok: true; rows: number; lastHash: string }
  | { ok: false; rows: number; brokenAt: number; reason: string };

type RawRow = {
  id: number;
  at: number;
  actor_id: number | null;
  actor_name: string;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
};

/**
 * Walks the audit log in id order and recomputes every hash. A row that was
 * edited, removed or inserted out of place breaks the chain at that row.
 */
export function verifyAuditChain(
  db: Db,
  onProgress?: (done: number, total: number) => void,
): ChainReport {
  const sqlite = db.$client;
  const total = (sqlite.prepare("select count(*) as n from audit_log").get() as { n: number }).n;
  let prevHash = GENESIS_HASH;
  let prevId = 0;
  let rows = 0;
  for (const row of sqlite
    .prepare("select * from audit_log order by id")
    .iterate() as IterableIterator<RawRow>) {
    rows++;
    if (row.id !== prevId + 1) {
      return { ok: false, rows, brokenAt: row.id, reason: `row ${prevId + 1} is missing` };
    }
    if (row.prev_hash !== prevHash) {
      return {
        ok: false,
        rows,
        brokenAt: row.id,
        reason: "previous-hash link does not match the row before",
      };
    }
    let details: unknown = null;
    try {
      details = row.details === null ? null : JSON.parse(row.details);
    } catch {
      return { ok: false, rows, brokenAt: row.id, reason: "details are not valid JSON" };
    }
    const expected = auditRowHash({
      id: row.id,
      at: new Date(row.at),
      actorId: row.actor_id,
      actorName: row.actor_name,
      actorRole: row.actor_role,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      outcome: row.outcome,
      ip: row.ip,
      userAgent: row.user_agent,
      requestId: row.request_id,
      details,
      prevHash: row.prev_hash,
    });
    if (expected !== row.hash) {
      return { ok: false, rows, brokenAt: row.id, reason: "row content does not match its hash" };
    }
    prevHash = row.hash;
    prevId = row.id;
    if (onProgress && rows % 5000 === 0) onProgress(rows, total);
  }
  onProgress?.(rows, total);
  return { ok: true, rows, lastHash: prevHash };
}
