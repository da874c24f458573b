import "server-only";
import os from "node:os";
import crypto from "node:crypto";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { jobLogs, jobs, type Job } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { redactSecrets, redactSecretsIn } from "@/server/secrets/redact";
import { captureError } from "@/server/sentry";
import { onJobQueued } from "./queue";
import { getJobKind, jobKindNames, type JobLogLevel } from "./registry";

export type RunnerOptions = {
  concurrency: number;
  /** How often to look for queued jobs when nobody pokes the runner. */
  pollMs?: number;
  /** How often a running job's heartbeat is written. */
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this belongs to a dead process. */
  staleMs?: number;
  runnerId?: string;
};

/** `host:pid:random`: lets a restarted process tell its predecessor's jobs from a live neighbour's. */
export function newRunnerId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const live = globalThis as unknown as { __opsdeckLiveRunners?: Set<string> };
const liveRunners = (live.__opsdeckLiveRunners ??= new Set());

const INTERRUPTED = "interrupted: Opsdeck stopped while this job was running";

/**
 * Executes queued jobs, `concurrency` at a time. Claiming is one UPDATE … RETURNING,
 * so any number of runners (in one process or several) never run a job twice.
 * Running jobs heartbeat; a job whose process died is marked failed("interrupted").
 */
export class JobRunner {
  readonly id: string;
  private readonly running = new Map<number, { promise: Promise<void>; abort: AbortController }>();
  private accepting = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private polling = false;
  private readonly opts: Required<Omit<RunnerOptions, "runnerId">>;

  constructor(
    private readonly db: Db,
    options: RunnerOptions,
  ) {
    this.id = options.runnerId ?? newRunnerId();
    this.opts = { pollMs: 1000, heartbeatMs: 5000, staleMs: 30_000, ...options };
  }

  start(): void {
    liveRunners.add(this.id);
    this.recoverOrphans();
    this.accepting = true;
    this.unsubscribe = onJobQueued(() => void this.poll());
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs);
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
    this.timer.unref();
    this.heartbeat.unref();
    void this.poll();
  }

  /** Marks failed("interrupted") every running job whose process is gone. Returns how many. */
  recoverOrphans(now = Date.now()): number {
    const [host] = this.id.split(":");
    const active = this.db.select().from(jobs).where(eq(jobs.status, "running")).all();
    let count = 0;
    for (const job of active) {
      if (this.running.has(job.id)) continue;
      const [jobHost, pidText] = (job.runner ?? "").split(":");
      const pid = Number(pidText);
      const deadHere =
        jobHost === host &&
        (pid === process.pid ? !liveRunners.has(job.runner ?? "") : !pidAlive(pid));
      const stale = (job.heartbeatAt?.getTime() ?? 0) < now - this.opts.staleMs;
      if (deadHere || stale) {
        if (this.finish(job.id, { status: "failed", error: INTERRUPTED }, "running")) {
          this.appendLog(
            job.id,
            "error",
            "Opsdeck stopped while this job was running; it did not finish.",
          );
          count++;
        }
      }
    }
    if (count > 0) logger.warn({ context: { jobs: count } }, "marked interrupted jobs failed");
    return count;
  }

  /** Claims and starts queued jobs while there is capacity. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.accepting && this.running.size < this.opts.concurrency) {
        const job = this.claim();
        if (!job) break;
        this.launch(job);
      }
    } finally {
      this.polling = false;
    }
  }

  private claim(): Job | undefined {
    const kinds = jobKindNames();
    if (kinds.length === 0) return undefined;
    const now = new Date();
    return this.db
      .update(jobs)
      .set({ status: "running", runner: this.id, startedAt: now, heartbeatAt: now })
      .where(
        eq(
          jobs.id,
          sql`(select id from jobs where status = 'queued' and kind in ${kinds} order by id limit 1)`,
        ),
      )
      .returning()
      .get();
  }

  private launch(job: Job): void {
    const abort = new AbortController();
    const promise = this.execute(job, abort.signal).finally(() => {
      this.running.delete(job.id);
      void this.poll();
    });
    this.running.set(job.id, { promise, abort });
  }

  private async execute(job: Job, signal: AbortSignal): Promise<void> {
    const kind = getJobKind(job.kind)!;
    const log = logger.child({ context: { jobId: job.id, kind: job.kind } });
    let lastProgressWrite = 0;
    this.appendLog(job.id, "info", `Started by ${job.requestedByName}.`);
    try {
      const params = kind.params.parse(job.params);
      const result = await kind.run({
        jobId: job.id,
        params,
        db: this.db,
        signal,
        log: (level, message) => {
          this.appendLog(job.id, level, message);
          log[level === "debug" ? "debug" : level]({}, message);
        },
        progress: (percent, label) => {
          const now = Date.now();
          const pct = Math.max(0, Math.min(100, Math.round(percent)));
          if (pct < 100 && now - lastProgressWrite < 200) return;
          lastProgressWrite = now;
          this.db
            .update(jobs)
            .set({
              progress: pct,
              progressLabel: label?.slice(0, 200) ?? null,
              heartbeatAt: new Date(now),
            })
            .where(eq(jobs.id, job.id))
            .run();
        },
      });
      if (signal.aborted) throw signal.reason ?? new Error("aborted");
      this.finish(
        job.id,
        { status: "succeeded", result: result ?? null, progress: 100 },
        "running",
      );
      this.appendLog(job.id, "info", "Succeeded.");
      log.info("job succeeded");
    } catch (err) {
      const message = signal.aborted
        ? INTERRUPTED
        : err instanceof Error
          ? err.message
          : String(err);
      this.finish(job.id, { status: "failed", error: message.slice(0, 2000) }, "running");
      this.appendLog(job.id, "error", `Failed: ${message}`);
      log.warn({ error: err }, "job failed");
      if (!signal.aborted) captureError(err, { jobId: job.id, kind: job.kind });
    }
  }

  /** Sets a final status, but only if the job is still in `from` (never overwrites another outcome). */
  private finish(
    id: number,
    values: { status: "succeeded" | "failed"; error?: string; result?: unknown; progress?: number },
    from: "running",
  ): boolean {
    return (
      this.db
        .update(jobs)
        .set({ ...redactSecretsIn(values), finishedAt: new Date() })
        .where(and(eq(jobs.id, id), eq(jobs.status, from)))
        .run().changes === 1
    );
  }

  private appendLog(jobId: number, level: JobLogLevel, message: string): void {
    this.db
      .insert(jobLogs)
      .values({ jobId, at: new Date(), level, message: redactSecrets(message).slice(0, 4000) })
      .run();
  }

  private beat(): void {
    const ids = [...this.running.keys()];
    if (ids.length > 0) {
      this.db.update(jobs).set({ heartbeatAt: new Date() }).where(inArray(jobs.id, ids)).run();
    }
    this.reapStale();
  }

  private reapStale(): void {
    const cutoff = new Date(Date.now() - this.opts.staleMs);
    const stale = this.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.status, "running"), lt(jobs.heartbeatAt, cutoff)))
      .all();
    if (stale.length > 0) this.recoverOrphans();
  }

  get activeCount(): number {
    return this.running.size;
  }

  /**
   * Graceful stop: claim nothing more, give running jobs up to `timeoutMs` to
   * finish, then abort them and mark them failed("interrupted").
   */
  async stop(timeoutMs: number): Promise<{ finished: number; interrupted: number }> {
    this.accepting = false;
    clearInterval(this.timer);
    this.unsubscribe?.();
    const pending = [...this.running.entries()];
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(pending.map(([, r]) => r.promise)).then(() => false),
      new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timeout);
    let interrupted = 0;
    if (timedOut) {
      for (const [id, r] of this.running) {
        r.abort.abort(new Error(INTERRUPTED));
        if (this.finish(id, { status: "failed", error: INTERRUPTED }, "running")) {
          this.appendLog(id, "error", "Opsdeck shut down before this job finished.");
          interrupted++;
        }
      }
    }
    clearInterval(this.heartbeat);
    liveRunners.delete(this.id);
    return { finished: pending.length - interrupted, interrupted };
  }
}
