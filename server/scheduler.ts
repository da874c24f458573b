import "server-only";
import { Cron } from "croner";
import { eq } from "drizzle-orm";
import type { Db } from "@/server/db";
import { scheduleRuns } from "@/server/db/schema";
import { holdsLease, releaseLease, takeLease, type LeaseToken } from "@/server/jobs/lease";
import { enqueueJob, LockHeldError } from "@/server/jobs/queue";
import { logger } from "@/server/logger";

export type Schedule = {
  /** Stable name; also part of each run's idempotency key. */
  name: string;
  /** 5-field cron, evaluated in UTC. */
  cron: string;
  kind: string;
  params: unknown;
  /** Defaults to `schedule:<name>`: a slow run is never overlapped by the next one. */
  lockKey?: string;
  /** Run once as soon as the schedule is first seen (a new backup job should not wait a day). */
  runWhenNew?: boolean;
};

export const SCHEDULER_LEASE = "scheduler";

/**
 * Enqueues scheduled jobs. One process per database holds the lease and does the
 * work; the others wait to take over when its lease expires. A slot missed while
 * no process held the lease runs once (not once per missed slot) when one does.
 * Each slot's job has the idempotency key `schedule:<name>:<slot>`, and every write
 * checks the lease's fencing token inside its transaction: a scheduler that stalled
 * past its lease (and was taken over) queues nothing when it wakes up.
 */
export class Scheduler {
  private schedules: { def: Schedule; cron: Cron }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private leader = false;
  private token: LeaseToken | null = null;
  /** Schedules whose slot waits for another job's lock (logged once per wait). */
  private readonly waiting = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly holder: string,
    private readonly opts: { tickMs?: number; leaseTtlMs?: number } = {},
  ) {}

  setSchedules(defs: Schedule[]): void {
    this.schedules = defs.map((def) => ({
      def,
      cron: new Cron(def.cron, { timezone: "UTC", paused: true }),
    }));
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.leader) releaseLease(this.db, SCHEDULER_LEASE, this.holder);
    this.leader = false;
    this.token = null;
  }

  /** One pass: renew (or take) the lease, then queue every schedule whose slot has come. */
  tick(now = Date.now()): number {
    let queued = 0;
    try {
      const wasLeader = this.leader;
      this.token = takeLease(
        this.db,
        SCHEDULER_LEASE,
        this.holder,
        this.opts.leaseTtlMs ?? 30_000,
        now,
      );
      this.leader = this.token !== null;
      if (this.leader !== wasLeader) {
        logger.info(
          { context: { holder: this.holder } },
          this.leader ? "scheduler lease taken" : "scheduler lease lost",
        );
      }
      if (!this.leader) return 0;
      for (const s of this.schedules) if (this.runDue(s.def, s.cron, now)) queued++;
    } catch (err) {
      logger.error({ error: err }, "scheduler tick failed");
    }
    return queued;
  }

  private runDue(def: Schedule, cron: Cron, now: number): boolean {
    const last = this.db.select().from(scheduleRuns).where(eq(scheduleRuns.name, def.name)).get();
    // previousRuns is strictly before its reference; +1 ms lets a slot fire at its own instant.
    const slot = cron.previousRuns(1, new Date(now + 1))[0];
    const token = this.token;
    if (!last && !def.runWhenNew) {
      // A new schedule starts from now: its first run is its next slot.
      this.db.transaction(
        (tx) => {
          if (!holdsLease(tx, SCHEDULER_LEASE, token, now)) return;
          tx.insert(scheduleRuns)
            .values({ name: def.name, lastSlotAt: slot ?? new Date(now) })
            .onConflictDoNothing()
            .run();
        },
        { behavior: "immediate" },
      );
      return false;
    }
    if (!slot || (last && slot.getTime() <= last.lastSlotAt.getTime())) return false;
    const missed = !last || cron.nextRun(last.lastSlotAt)?.getTime() !== slot.getTime();
    let blockedBy: number | undefined;
    const queued = this.db.transaction(
      (tx) => {
        // The token is checked in the same IMMEDIATE transaction as the writes: nobody
        // can take the lease over between the check and the commit.
        if (!holdsLease(tx, SCHEDULER_LEASE, token, now)) return false;
        let job;
        try {
          ({ job } = enqueueJob(tx, {
            kind: def.kind,
            params: def.params,
            requestedBy: { id: null, name: `schedule:${def.name}` },
            idempotencyKey: `schedule:${def.name}:${slot.toISOString()}`,
            lockKey: def.lockKey ?? `schedule:${def.name}`,
            // A job of the same kind already running (a manual backup) covers the slot.
            answeredBy: (held) => held.kind === def.kind,
          }));
        } catch (err) {
          // Another kind holds the lock (a restore during a backup slot): the slot stays
          // due and runs once that job has finished.
          if (!(err instanceof LockHeldError)) throw err;
          blockedBy = err.held.id;
          return false;
        }
        tx.insert(scheduleRuns)
          .values({ name: def.name, lastSlotAt: slot, lastJobId: job.id })
          .onConflictDoUpdate({
            target: scheduleRuns.name,
            set: { lastSlotAt: slot, lastJobId: job.id },
          })
          .run();
        return true;
      },
      { behavior: "immediate" },
    );
    if (blockedBy !== undefined) {
      if (!this.waiting.has(def.name))
        logger.info(
          { context: { schedule: def.name, slot: slot.toISOString(), heldBy: blockedBy } },
          "scheduled job waits for another job holding its lock",
        );
      this.waiting.add(def.name);
      return false;
    }
    this.waiting.delete(def.name);
    if (!queued) {
      logger.warn(
        { context: { schedule: def.name, holder: this.holder } },
        "scheduler lease lost before a scheduled job was queued; left to the new holder",
      );
      this.leader = false;
      return false;
    }
    logger.info(
      { context: { schedule: def.name, slot: slot.toISOString(), catchUp: missed } },
      "scheduled job queued",
    );
    return true;
  }
}
