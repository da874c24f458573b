import "server-only";
import { env } from "@/env";
import { recoverInterruptedBackups } from "@/server/backups/recover";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { recoverInterruptedDeploys } from "@/server/deployments/recover";
import "@/server/jobs/kinds";
import { JobRunner } from "@/server/jobs/runner";
import { logger } from "@/server/logger";
import { registerJobsGauges } from "./metrics";
import type { EngineOptions, JobsSnapshot, ThreadParts } from "./protocol";

/**
 * The job runner, in the jobs thread: backups, restores, deploys, maintenance and the
 * other job kinds, however long their synchronous database work takes.
 */
export class Jobs implements ThreadParts<JobsSnapshot> {
  readonly runner: JobRunner;
  private readonly heartbeatMs: number;

  constructor(
    private readonly db: Db,
    private config: OpsdeckConfig,
    readonly holder: string,
    options: EngineOptions = {},
  ) {
    this.heartbeatMs = options.runner?.heartbeatMs ?? 5000;
    this.runner = new JobRunner(db, {
      concurrency: env.OPSDECK_JOB_CONCURRENCY,
      runnerId: holder,
      ...options.runner,
    });
    registerJobsGauges({ runningJobs: () => this.runner.activeCount });
  }

  /**
   * Cleans up after a crash before any job can start: orphaned jobs first, then their
   * backups and half-written files (a new backup's files must not be swept away).
   */
  async start(): Promise<void> {
    this.runner.recoverOrphans();
    const interrupted = await recoverInterruptedBackups(this.db, this.config.backups);
    const deploys = recoverInterruptedDeploys(this.db);
    if (deploys > 0)
      logger.warn({ context: { deployments: deploys } }, "marked interrupted rollbacks unknown");
    if (interrupted > 0)
      logger.warn({ context: { backups: interrupted } }, "marked interrupted backups failed");
    this.runner.start();
  }

  applyConfig(config: OpsdeckConfig): void {
    // Job kinds read the running config (getConfig()) when they start.
    this.config = config;
  }

  snapshot(now = Date.now()): JobsSnapshot {
    return {
      role: "jobs",
      at: now,
      holder: this.holder,
      runningJobs: this.runner.activeCount,
      runnerBeatAt: this.runner.lastBeatAt,
      runnerHeartbeatMs: this.heartbeatMs,
    };
  }

  /** Claims nothing more; running jobs get `timeoutMs` to finish, the rest are marked interrupted. */
  async stop(timeoutMs: number): Promise<void> {
    const result = await this.runner.stop(timeoutMs);
    logger.info({ context: result }, "job runner stopped");
  }
}
