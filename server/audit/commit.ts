import "server-only";
import type { Db, Tx } from "@/server/db";
import { writeAudit, type AuditActor, type AuditEntry, type RequestMeta } from "./write";

export type Committer = {
  /**
   * Runs `change` and appends the audit row in one IMMEDIATE transaction: both are
   * stored or neither is. A mutation calls it exactly once.
   */
  commit<T>(entry: AuditEntry | ((result: T) => AuditEntry), change: (tx: Tx) => T): T;
  /** Whether the change and its audit row were stored. */
  readonly committed: boolean;
};

/** The commit step shared by server actions and route handlers. */
export function auditedCommitter(
  db: Db,
  actor: AuditActor,
  meta: RequestMeta,
  name: string,
): Committer {
  let calls = 0;
  let committed = false;
  return {
    commit(entry, change) {
      calls++;
      if (calls > 1) throw new Error(`${name}: commit called twice`);
      const result = db.transaction(
        (tx) => {
          const out = change(tx);
          writeAudit(tx, actor, meta, typeof entry === "function" ? entry(out) : entry);
          return out;
        },
        { behavior: "immediate" },
      );
      committed = true;
      return result;
    },
    get committed() {
      return committed;
    },
  };
}
