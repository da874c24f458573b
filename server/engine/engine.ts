import "server-only";
import { env } from "@/env";
import { closeTransports } from "@/server/alerts/channels/email";
import { AlertEngine } from "@/server/alerts/engine";
import { recoverInterruptedBackups } from "@/server/backups/recover";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { recoverInterruptedDeploys } from "@/server/deployments/recover";
import "@/server/jobs/kinds";
import { JobRunner, type RunnerOptions } from "@/server/jobs/runner";
import { logger } from "@/server/logger";
import { alertEvaluationHistogram, latenessHistogram } from "./metrics";
import { MonitorEngine } from "@/server/monitors/engine";
import { CheckRecorder } from "@/server/monitors/recorder";
import { Scheduler } from "@/server/scheduler";
import { schedulesFrom } from "./schedules";

/** Knobs the tests turn; production uses the defaults. */
export type EngineOptions = {
  runner?: Pick<RunnerOptions, "pollMs" | "heartbeatMs" | "staleMs">;
  schedulerTickMs?: number;
};

/** What the engine thread reports to the HTTP thread (and /api/health) about itself. */
export type EngineSnapshot = {
  /** When the snapshot was taken (epoch ms). */
  at: number;
  holder: string;
  leader: boolean;
  runningJobs: number;
  /** The job runner's last heartbeat (epoch ms); 0 before it started. */
  runnerBeatAt: number;
  runnerHeartbeatMs: number;
  monitors: number;
};

/**
 * Everything that runs on its own: the job runner, the scheduler, uptime checks and
 * their recorder, alert evaluation and delivery. Built on one database connection,
 * in the engine thread (server/engine/main.ts) or directly by a test.
 */
export class Engine {
  readonly runner: JobRunner;
  readonly scheduler: Scheduler;
  readonly monitors: MonitorEngine;
  readonly alerts: AlertEngine;
  private readonly recorder: CheckRecorder;
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
    this.scheduler = new Scheduler(db, holder, { tickMs: options.schedulerTickMs });
    const onError = (err: unknown) => logger.error({ error: err }, "uptime monitoring failed");
    const alertEval = alertEvaluationHistogram();
    this.alerts = new AlertEngine(db, config, {
      isLeader: () => this.scheduler.isLeader,
      onEvaluated: (seconds) => alertEval.observe(seconds),
    });
    this.recorder = new CheckRecorder(db, { onError });
    const lateness = latenessHistogram();
    this.monitors = new MonitorEngine(db, this.recorder, {
      isLeader: () => this.scheduler.isLeader,
      onLateness: (ms) => lateness.observe(ms / 1000),
      onError,
    });
  }

  /**
   * Cleans up after a crash before any job can start (orphaned jobs first, then their
   * backups and half-written files: a new backup's files must not be swept away), then
   * starts every part with the config.
   */
  async start(): Promise<void> {
    this.runner.recoverOrphans();
    const interrupted = await recoverInterruptedBackups(this.db, this.config.backups);
    const deploys = recoverInterruptedDeploys(this.db);
    if (deploys > 0)
      logger.warn({ context: { deployments: deploys } }, "marked interrupted rollbacks unknown");
    if (interrupted > 0)
      logger.warn({ context: { backups: interrupted } }, "marked interrupted backups failed");
    this.applyConfig(this.config);
    this.runner.start();
    this.scheduler.start();
    this.recorder.start();
    this.monitors.start();
    this.alerts.start();
  }

  /** Applies a (re)loaded config to the running parts. */
  applyConfig(config: OpsdeckConfig): void {
    this.config = config;
    this.scheduler.setSchedules(schedulesFrom(config));
    this.monitors.setMonitors(config.monitors, config.maintenanceWindows);
    this.alerts.setConfig(config);
  }

  snapshot(now = Date.now()): EngineSnapshot {
    return {
      at: now,
      holder: this.holder,
      leader: this.scheduler.isLeader,
      runningJobs: this.runner.activeCount,
      runnerBeatAt: this.runner.lastBeatAt,
      runnerHeartbeatMs: this.heartbeatMs,
      monitors: this.monitors.monitorCount,
    };
  }

  /**
   * Graceful stop: no new checks, the last checks stored, notifications in flight
   * finished, the lease released, running jobs given `timeoutMs` to finish.
   */
  async stop(timeoutMs: number): Promise<{ finished: number; interrupted: number }> {
    await this.monitors.stop();
    this.recorder.stop();
    await this.alerts.stop();
    closeTransports();
    this.scheduler.stop();
    const result = await this.runner.stop(timeoutMs);
    logger.info({ context: result }, "job runner stopped");
    return result;
  }
}
