import "server-only";
import type { DbOrTx } from "@/server/db";
import type { Job } from "@/server/db/schema";
import { JobConflictError } from "@/server/services/service";
import { enqueueJob, LockHeldError, type EnqueueInput, type EnqueueResult } from "./queue";
import { getJobKind } from "./registry";

/** "2026-11-27 02:00:03 UTC": unambiguous for whoever reads it, wherever they are. */
function utc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** What a job acts on, as its kind describes it ("backup #3"), or null. */
export function describeJob(db: DbOrTx, job: Job): string | null {
  const kind = getJobKind(job.kind);
  if (!kind?.describe) return null;
  const params = kind.params.safeParse(job.params);
  return params.success ? kind.describe(params.data, db) : null;
}

/** The 409 for a request whose lock another job holds: what it is, who asked, since when. */
export function jobConflict(db: DbOrTx, held: Job): JobConflictError {
  const title = getJobKind(held.kind)?.title ?? held.kind;
  const what = describeJob(db, held);
  const since = held.startedAt ?? held.createdAt;
  return new JobConflictError(
    `${title} (job #${held.id}${what ? `: ${what}` : ""}), requested by ${held.requestedByName}, is ${held.status} since ${utc(since)}; wait for it to finish or cancel it.`,
    {
      id: held.id,
      title,
      requestedBy: held.requestedByName,
      status: held.status,
      since: since.toISOString(),
    },
  );
}

/** enqueueJob for a service: a lock held by another job becomes a 409 naming that job. */
export function enqueueOrRefuse(db: DbOrTx, input: EnqueueInput): EnqueueResult {
  try {
    return enqueueJob(db, input);
  } catch (err) {
    if (err instanceof LockHeldError) throw jobConflict(db, err.held);
    throw err;
  }
}
