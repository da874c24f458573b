import "server-only";
import os from "node:os";
import crypto from "node:crypto";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { jobLogs, jobs, type Job } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { redactSecrets, redactSecretsIn } from "@/server/secrets/redact";
import { captureError } from "@/server/sentry";
import { JobCanceled, JobLost } from "./abort";
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

/** Whether a process with this pid exists on this host (EPERM: it does, but is not ours). */
export function pidAlive(pid: number): boolean {
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

type Running = {
  promise: Promise<void>;
  abort: AbortController;
  /** With the runner's id, the job's fencing token: every write of this runner names both. */
  epoch: number;
  lost: boolean;
};

type Outcome =
  | { status: "succeeded"; result: unknown; progress: 100 }
  | { status: "failed"; error: string }
  | { status: "canceled"; error: string };

/**
 * Executes queued jobs, `concurrency` at a time. Claiming is one UPDATE … RETURNING,
 * so any number of runners (in one process or several) never run a job twice.
 * Running jobs heartbeat; a job whose process died is marked failed("interrupted").
 *
 * Each claim raises the job's epoch; (runner id, epoch) is the job's fencing token,
 * checked by every progress, log and finish write. A runner whose job is no longer
 * its own (reaped as stale while it stalled) aborts it, and nothing it writes lands.
 * A cancel request stored on the job aborts it with `JobCanceled`; the job stops at
 * its next safe point and is recorded as canceled.
 */
export class JobRunner {
  readonly id: string;
  private readonly running = new Map<number, Running>();
  private accepting = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private polling = false;
  /** When this runner last heartbeated (epoch ms); 0 before start. /api/health watches it. */
  lastBeatAt = 0;
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
    this.lastBeatAt = Date.now();
    this.recoverOrphans();
    this.accepting = true;
    this.unsubscribe = onJobQueued(() => void this.poll());
    this.timer = setInterval(() => {
      this.watch();
      void this.poll();
    }, this.opts.pollMs);
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
        // Fenced by the token seen above: a job claimed again since is not touched.
        const reaped = this.settle(
          job.id,
          { runner: job.runner, epoch: job.epoch },
          { status: "failed", error: INTERRUPTED },
          ["error", "Opsdeck stopped while this job was running; it did not finish."],
        );
        if (reaped) count++;
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
      .set({
        status: "running",
        runner: this.id,
        epoch: sql`${jobs.epoch} + 1`,
        startedAt: now,
        heartbeatAt: now,
      })
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
    const entry: Running = { promise: Promise.resolve(), abort, epoch: job.epoch, lost: false };
    this.running.set(job.id, entry);
    entry.promise = this.execute(job, abort.signal, job.epoch).finally(() => {
      this.running.delete(job.id);
      void this.poll();
    });
  }

  /** The job is no longer this runner's: stop it, and say so in Opsdeck's own log. */
  private lose(id: number): void {
    const entry = this.running.get(id);
    if (!entry || entry.lost) return;
    entry.lost = true;
    entry.abort.abort(new JobLost(id));
    logger.warn(
      { context: { jobId: id, runner: this.id } },
      "job taken away from this runner (marked interrupted elsewhere); aborting it",
    );
  }

  private async execute(job: Job, signal: AbortSignal, epoch: number): Promise<void> {
    const kind = getJobKind(job.kind)!;
    const log = logger.child({ context: { jobId: job.id, kind: job.kind } });
    const own = { runner: this.id, epoch };
    let lastProgressWrite = 0;
    this.appendLog(job.id, "info", `Started by ${job.requestedByName}.`, own);
    try {
      const params = kind.params.parse(job.params);
      const result = await kind.run({
        jobId: job.id,
        params,
        db: this.db,
        signal,
        log: (level, message) => {
          if (!this.appendLog(job.id, level, message, own)) return this.lose(job.id);
          log[level === "debug" ? "debug" : level]({}, message);
        },
        progress: (percent, label) => {
          const now = Date.now();
          const pct = Math.max(0, Math.min(100, Math.round(percent)));
          if (pct < 100 && now - lastProgressWrite < 200) return;
          lastProgressWrite = now;
          const written = this.db
            .update(jobs)
            .set({
              progress: pct,
              progressLabel: label?.slice(0, 200) ?? null,
              heartbeatAt: new Date(now),
            })
            .where(this.owned(job.id, own))
            .run().changes;
          if (written === 0) this.lose(job.id);
        },
      });
      if (signal.aborted && !(signal.reason instanceof JobCanceled))
        throw signal.reason ?? new Error("aborted");
      // A cancel that came after the job's last safe point: the work is done, say so.
      const late =
        signal.reason instanceof JobCanceled
          ? ` (${signal.reason.message} after the job had done its work)`
          : "";
      this.settle(job.id, own, { status: "succeeded", result: result ?? null, progress: 100 }, [
        "info",
        `Succeeded.${late}`,
      ]);
      log.info("job succeeded");
    } catch (err) {
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      if (reason instanceof JobLost) {
        log.warn({ error: err }, "job stopped: it is no longer this runner's");
        return;
      }
      if (reason instanceof JobCanceled) {
        const by = reason.by;
        this.settle(job.id, own, { status: "canceled", error: `Canceled by ${by}.` }, [
          "warn",
          `Canceled by ${by}; stopped at a safe point.`,
        ]);
        log.info({ context: { by } }, "job canceled");
        return;
      }
      const message = signal.aborted
        ? INTERRUPTED
        : err instanceof Error
          ? err.message
          : String(err);
      this.settle(job.id, own, { status: "failed", error: message.slice(0, 2000) }, [
        "error",
        `Failed: ${message}`,
      ]);
      log.warn({ error: err }, "job failed");
      if (!signal.aborted) captureError(err, { jobId: job.id, kind: job.kind });
    }
  }

  /** The job is running and still holds `fence` (runner and epoch). */
  private owned(id: number, fence: { runner: string | null; epoch: number }) {
    return and(
      eq(jobs.id, id),
      fence.runner === null ? sql`${jobs.runner} is null` : eq(jobs.runner, fence.runner),
      eq(jobs.epoch, fence.epoch),
      eq(jobs.status, "running"),
    );
  }

  /**
   * Sets a final status and its log line, both or neither, but only while the job is
   * running under `fence`: never overwrites another outcome or another owner's run.
   */
  private settle(
    id: number,
    fence: { runner: string | null; epoch: number },
    values: Outcome,
    line: [JobLogLevel, string],
  ): boolean {
    return this.db.transaction(
      (tx) => {
        const changed =
          tx
            .update(jobs)
            .set({ ...redactSecretsIn(values), finishedAt: new Date() })
            .where(this.owned(id, fence))
            .run().changes === 1;
        if (changed) this.appendLog(id, line[0], line[1]);
        return changed;
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Appends a log line. With `fence`, only while the job is running under that token
   * (one statement); returns whether the line was stored.
   */
  private appendLog(
    jobId: number,
    level: JobLogLevel,
    message: string,
    fence?: { runner: string; epoch: number },
  ): boolean {
    const text = redactSecrets(message).slice(0, 4000);
    if (!fence) {
      this.db.insert(jobLogs).values({ jobId, at: new Date(), level, message: text }).run();
      return true;
    }
    return (
      this.db.run(
        sql`insert into ${jobLogs} (job_id, at, level, message)
            select ${jobId}, ${Date.now()}, ${level}, ${text}
            where exists (select 1 from ${jobs} where ${this.owned(jobId, fence)})`,
      ).changes === 1
    );
  }

  /** Between polls: drop jobs that are no longer ours, and pass on cancel requests. */
  private watch(): void {
    if (this.running.size === 0) return;
    const rows = this.db
      .select({
        id: jobs.id,
        runner: jobs.runner,
        epoch: jobs.epoch,
        status: jobs.status,
        cancelBy: jobs.cancelRequestedBy,
      })
      .from(jobs)
      .where(inArray(jobs.id, [...this.running.keys()]))
      .all();
    for (const [id, entry] of this.running) {
      const row = rows.find((r) => r.id === id);
      if (!row || row.runner !== this.id || row.epoch !== entry.epoch || row.status !== "running")
        this.lose(id);
      else if (row.cancelBy && !entry.abort.signal.aborted)
        entry.abort.abort(new JobCanceled(row.cancelBy));
    }
  }

  private beat(): void {
    const now = new Date();
    for (const [id, entry] of this.running) {
      const written = this.db
        .update(jobs)
        .set({ heartbeatAt: now })
        .where(this.owned(id, { runner: this.id, epoch: entry.epoch }))
        .run().changes;
      if (written === 0) this.lose(id);
    }
    this.reapStale();
    this.lastBeatAt = Date.now();
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
        const stopped = this.settle(
          id,
          { runner: this.id, epoch: r.epoch },
          { status: "failed", error: INTERRUPTED },
          ["error", "Opsdeck shut down before this job finished."],
        );
        if (stopped) interrupted++;
      }
    }
    clearInterval(this.heartbeat);
    liveRunners.delete(this.id);
    return { finished: pending.length - interrupted, interrupted };
  }
}
