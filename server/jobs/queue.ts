import "server-only";
import { BroadcastChannel } from "node:worker_threads";
import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { jobs, type Job } from "@/server/db/schema";
import { getJobKind } from "./registry";

export type EnqueueInput = {
  kind: string;
  params: unknown;
  requestedBy: { id: number | null; name: string };
  /** The same key always yields the same job (a retried click, a schedule slot seen twice). */
  idempotencyKey?: string;
  /** While a job with this key is queued or running, enqueueing returns that job instead. */
  lockKey?: string;
};

export type EnqueueResult = { job: Job; created: boolean; reason?: "idempotent" | "locked" };

function existing(db: DbOrTx, input: EnqueueInput): EnqueueResult | undefined {
  if (input.idempotencyKey) {
    const job = db.select().from(jobs).where(eq(jobs.idempotencyKey, input.idempotencyKey)).get();
    if (job) return { job, created: false, reason: "idempotent" };
  }
  if (input.lockKey) {
    const job = db
      .select()
      .from(jobs)
      .where(and(eq(jobs.lockKey, input.lockKey), inArray(jobs.status, ["queued", "running"])))
      .get();
    if (job) return { job, created: false, reason: "locked" };
  }
  return undefined;
}

/**
 * Queues a job, or returns the job that already answers the request (same
 * idempotency key, or an active job holding the lock key). Safe across
 * processes: the unique indexes decide, and the loser reads the winner's row.
 */
export function enqueueJob(db: DbOrTx, input: EnqueueInput): EnqueueResult {
  const kind = getJobKind(input.kind);
  if (!kind) throw new Error(`unknown job kind "${input.kind}"`);
  const params = kind.params.parse(input.params);
  const found = existing(db, input);
  if (found) return found;
  try {
    const job = db
      .insert(jobs)
      .values({
        kind: input.kind,
        params: params ?? {},
        requestedBy: input.requestedBy.id,
        requestedByName: input.requestedBy.name,
        idempotencyKey: input.idempotencyKey,
        lockKey: input.lockKey,
      })
      .returning()
      .get();
    wakeRunners();
    return { job, created: true };
  } catch (err) {
    if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
      const raced = existing(db, input);
      if (raced) return raced;
    }
    throw err;
  }
}

// A BroadcastChannel reaches every thread of the process: the HTTP thread enqueues,
// the engine thread's runner wakes up. (Another process finds the job at its next poll.)
const JOBS_QUEUED = "opsdeck:jobs-queued";
let announcer: BroadcastChannel | undefined;

/** Runners subscribe; enqueueing pokes them so a job starts without waiting for a poll. */
export function onJobQueued(fn: () => void): () => void {
  const channel = new BroadcastChannel(JOBS_QUEUED);
  channel.onmessage = () => fn();
  channel.unref();
  return () => channel.close();
}

function wakeRunners(): void {
  // After the caller's transaction commits, not inside it.
  setImmediate(() => {
    if (!announcer) {
      announcer = new BroadcastChannel(JOBS_QUEUED);
      announcer.unref();
    }
    announcer.postMessage(null);
  });
}
