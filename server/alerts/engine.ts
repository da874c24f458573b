import "server-only";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { logger } from "@/server/logger";
import { closeTransports } from "./channels/email";
import { dispatch } from "./dispatch";
import { evaluateRules } from "./evaluate";
import { OutboxSender } from "./outbox";

export type AlertEngineOptions = {
  isLeader: () => boolean;
  now?: () => number;
  tickMs?: number;
  onEvaluated?: (seconds: number) => void;
};

/**
 * Runs alerting on the process that holds the scheduler lease: rules every
 * `evaluationInterval` (and at the next tick when any monitor changes status), then grouping,
 * escalation and the outbox every tick. Everything it decides is in the database,
 * so another process that takes the lease carries on where this one stopped.
 */
export class AlertEngine {
  private timer: NodeJS.Timeout | undefined;
  private nextEvalAt = 0;
  private nudged = false;
  private lastWatermark = "";
  private watermarkQuery:
    import("better-sqlite3").Statement<[], { since: number; n: number }> | undefined;
  private readonly now: () => number;
  readonly sender: OutboxSender;

  constructor(
    private readonly db: Db,
    private config: OpsdeckConfig,
    private readonly opts: AlertEngineOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.sender = new OutboxSender(db, config, { now: this.now });
  }

  setConfig(config: OpsdeckConfig): void {
    // SMTP connections were made with the old settings (host, password).
    closeTransports();
    this.config = config;
    this.sender.setConfig(config);
    this.nudged = true;
  }

  /**
   * Changes whenever any monitor's status does (every writer sets `since`: checks,
   * heartbeat pings, the late/down scan, pause and resume), so one cheap read per tick
   * lets a new outage be evaluated at once, whichever path recorded it.
   */
  private statusWatermark(): string {
    this.watermarkQuery ??= this.db.$client.prepare<[], { since: number; n: number }>(
      "select coalesce(max(since), 0) as since, count(*) as n from monitor_state",
    );
    const row = this.watermarkQuery.get()!;
    return `${row.since}:${row.n}`;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sender.drain();
  }

  /** One pass; returns the deliveries it started (tests await them). */
  tick(): Promise<void>[] {
    if (!this.opts.isLeader()) return [];
    const now = this.now();
    try {
      const watermark = this.statusWatermark();
      if (watermark !== this.lastWatermark) {
        this.lastWatermark = watermark;
        this.nudged = true;
      }
      if (this.nudged || now >= this.nextEvalAt) {
        this.nudged = false;
        this.nextEvalAt = now + this.config.alerts.evaluationInterval;
        const started = performance.now();
        const result = evaluateRules(this.db, this.config, now);
        this.opts.onEvaluated?.((performance.now() - started) / 1000);
        if (result.transitions > 0)
          logger.info({ context: { ...result } }, "alert rules evaluated");
      }
      dispatch(this.db, this.config, now);
    } catch (err) {
      logger.error({ error: err }, "alerting failed");
    }
    try {
      return this.sender.tick();
    } catch (err) {
      logger.error({ error: err }, "notification sender failed");
      return [];
    }
  }
}
