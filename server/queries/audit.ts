import "server-only";
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  lt,
  lte,
  or,
  sql,
  type AnyColumn,
  type SQL,
} from "drizzle-orm";
import type { AuditFilter } from "@/lib/schemas/audit";
import type { Db } from "@/server/db";
import { auditCheckpoints, auditLog } from "@/server/db/schema";

export const AUDIT_PAGE_SIZE = 50;
/** The most rows one page holds, whatever the URL asks for. */
export const AUDIT_MAX_PAGE_SIZE = 200;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** LIKE with `\` declared as its escape: SQLite has no default, so `\_` would match a backslash. */
const likeLiteral = (column: AnyColumn, pattern: string): SQL =>
  sql`${column} like ${pattern} escape '\\'`;

/**
 * One page of the audit log, newest first, by keyset on id (`before` for older,
 * `after` for newer), so every page costs the same however long the log is.
 */
export function auditPage(db: Db, filter: Partial<AuditFilter>) {
  const size = Math.min(filter.limit ?? AUDIT_PAGE_SIZE, AUDIT_MAX_PAGE_SIZE);
  const where: (SQL | undefined)[] = [];
  if (filter.actor) where.push(likeLiteral(auditLog.actorName, `%${escapeLike(filter.actor)}%`));
  if (filter.action) {
    where.push(
      or(
        eq(auditLog.action, filter.action),
        likeLiteral(auditLog.action, `${escapeLike(filter.action)}.%`),
      ),
    );
  }
  if (filter.outcome) where.push(eq(auditLog.outcome, filter.outcome));
  if (filter.from) where.push(gte(auditLog.at, filter.from));
  if (filter.to) where.push(lte(auditLog.at, filter.to));

  const newer = filter.after !== undefined && filter.before === undefined;
  if (filter.before !== undefined) where.push(lt(auditLog.id, filter.before));
  if (newer) where.push(gt(auditLog.id, filter.after!));

  const rows = db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(newer ? asc(auditLog.id) : desc(auditLog.id))
    .limit(size + 1)
    .all();
  const more = rows.length > size;
  const page = rows.slice(0, size);
  if (newer) page.reverse();
  return {
    rows: page,
    // Whether there are rows beyond this page in each direction.
    hasOlder: newer ? filter.after !== undefined : more,
    hasNewer: newer ? more : filter.before !== undefined,
  };
}

/**
 * Distinct actions, for the filter's suggestions: one index seek per action (a skip
 * scan of audit_log_action_idx), not a walk of every row, so it costs the same at
 * any length of log.
 */
export function auditActions(db: Db): string[] {
  return (
    db.$client
      .prepare(
        `with recursive a(action) as (
           select min(action) from audit_log
           union all
           select (select min(action) from audit_log where action > a.action) from a
           where a.action is not null
         )
         select action from a where action is not null`,
      )
      .all() as { action: string }[]
  ).map((r) => r.action);
}

/** The newest checkpoint and the archive cut, for the page's note on what was verified and what was archived. */
export function auditChainSummary(db: Db) {
  const newest = db
    .select({ rowId: auditCheckpoints.rowId, at: auditCheckpoints.at, kind: auditCheckpoints.kind })
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.rowId), desc(auditCheckpoints.id))
    .limit(1)
    .get();
  const archived = db
    .select({ rowId: auditCheckpoints.rowId, at: auditCheckpoints.at })
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.kind, "archive"))
    .orderBy(desc(auditCheckpoints.rowId))
    .limit(1)
    .get();
  return { newest: newest ?? null, archived: archived ?? null };
}
