import "server-only";
import { BroadcastChannel } from "node:worker_threads";
import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { jobs, type Job } from "@/server/db/schema";
import { getJobKind } from "./registry";

type Requester = { id: number | null; name: string };

export type EnqueueInput = {
  kind: string;
  params: unknown;
  requestedBy: Requester;
  /**
   * The same key always yields the same job (a retried click, a schedule slot seen
   * twice). Scope it by requester and target (`requestKey()`): a key is never a way
   * to reach someone else's job or another target's.
   */
  idempotencyKey?: string;
  /** While a job with this key is queued or running, no other job with it is queued. */
  lockKey?: string;
  /**
   * Whether the job holding the lock is the answer to this request. Default: it is the
   * same kind with the same params, asked by the same requester (a double click). Any
   * other holder is a refusal (`LockHeldError`), never handed back as if it were the
   * job asked for.
   */
  answeredBy?: (held: Job) => boolean;
};

export type EnqueueResult = { job: Job; created: boolean; reason?: "idempotent" | "locked" };

/** The lock is held by a job that is not what was asked for; the caller names it in its refusal. */
export class LockHeldError extends Error {
  constructor(readonly held: Job) {
    super(`job #${held.id} (${held.kind}) holds the lock ${held.lockKey}`);
    this.name = "LockHeldError";
  }
}

/** An idempotency key scoped by requester and target: `<verb>:<target>:<requester>:<key>`. */
export function requestKey(
  verb: string,
  target: string | number,
  requester: Requester,
  key: string | undefined,
): string | undefined {
  return key ? `${verb}:${target}:${requester.id ?? requester.name}:${key}` : undefined;
}

/** JSON with sorted keys: two params objects compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function sameRequest(input: EnqueueInput, params: unknown): (held: Job) => boolean {
  return (held) =>
    held.kind === input.kind &&
    canonical(held.params) === canonical(params ?? {}) &&
    (input.requestedBy.id !== null
      ? held.requestedBy === input.requestedBy.id
      : held.requestedBy === null && held.requestedByName === input.requestedBy.name);
}

function existing(db: DbOrTx, input: EnqueueInput, params: unknown): EnqueueResult | undefined {
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
    if (job) {
      if ((input.answeredBy ?? sameRequest(input, params))(job))
        return { job, created: false, reason: "locked" };
      throw new LockHeldError(job);
    }
  }
  return undefined;
}

/**
 * Queues a job, or returns the job that already answers the request (same
 * idempotency key, or the active job holding the lock key when it is what was
 * asked for); throws LockHeldError when another job holds the lock. Safe across
 * processes: the unique indexes decide, and the loser reads the winner's row.
 */
export function enqueueJob(db: DbOrTx, input: EnqueueInput): EnqueueResult {
  const kind = getJobKind(input.kind);
  if (!kind) throw new Error(`unknown job kind "${input.kind}"`);
  const params = kind.params.parse(input.params);
  const found = existing(db, input, params);
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
      const raced = existing(db, input, params);
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
