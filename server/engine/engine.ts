import "server-only";
import { closeTransports } from "@/server/alerts/channels/email";
import { AlertEngine } from "@/server/alerts/engine";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
// The scheduler enqueues these kinds, and enqueueing checks their parameters.
import "@/server/jobs/kinds";
import { logger } from "@/server/logger";
import { MonitorEngine } from "@/server/monitors/engine";
import { CheckRecorder } from "@/server/monitors/recorder";
import { Scheduler } from "@/server/scheduler";
import { alertEvaluationHistogram, latenessHistogram, registerEngineGauges } from "./metrics";
import type { EngineOptions, EngineSnapshot, ThreadParts } from "./protocol";
import { schedulesFrom } from "./schedules";

/**
 * What must keep time, in the engine thread: the scheduler (and its lease), uptime
 * checks and their recorder, alert evaluation, routing and delivery. No job runs here,
 * so no job can delay a check.
 */
export class Engine implements ThreadParts<EngineSnapshot> {
  readonly scheduler: Scheduler;
  readonly monitors: MonitorEngine;
  readonly alerts: AlertEngine;
  private readonly recorder: CheckRecorder;

  constructor(
    db: Db,
    private config: OpsdeckConfig,
    readonly holder: string,
    options: EngineOptions = {},
  ) {
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
    registerEngineGauges({ isLeader: () => this.scheduler.isLeader });
  }

  async start(): Promise<void> {
    this.applyConfig(this.config);
    this.scheduler.start();
    this.recorder.start();
    this.monitors.start();
    this.alerts.start();
  }

  applyConfig(config: OpsdeckConfig): void {
    this.config = config;
    this.scheduler.setSchedules(schedulesFrom(config));
    this.monitors.setMonitors(config.monitors, config.maintenanceWindows);
    this.alerts.setConfig(config);
  }

  snapshot(now = Date.now()): EngineSnapshot {
    return {
      role: "engine",
      at: now,
      holder: this.holder,
      leader: this.scheduler.isLeader,
      monitors: this.monitors.monitorCount,
    };
  }

  /** No new checks, the last ones stored, notifications in flight finished, the lease released. */
  async stop(): Promise<void> {
    await this.monitors.stop();
    this.recorder.stop();
    await this.alerts.stop();
    closeTransports();
    this.scheduler.stop();
  }
}
