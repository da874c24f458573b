import "server-only";
import { logger } from "@/server/logger";
import type { MetricsDb } from "./db";
import { applyRetention, type Retention, type RetentionReport } from "./retention";
import { Rollup, type RollupReport } from "./rollup";
import type { TsdbWriter } from "./writer";

/** How often the metrics thread runs this (a 5-minute bucket is rolled up 2 minutes after it ends). */
export const MAINTENANCE_EVERY_MS = 60_000;
export const RETENTION_EVERY_MS = 3_600_000;

/**
 * The metrics thread's upkeep of metrics.db: the rollup at every run, retention once an
 * hour, both in batches that yield between transactions so the writer's commit and the
 * scrapes go on. `stop` is asked between batches (the thread stopping, or its lease lost).
 */
export class MetricsMaintenance {
  private readonly rollup: Rollup;
  private lastRetention = -Infinity;

  constructor(
    private readonly db: MetricsDb,
    private readonly writer: TsdbWriter,
  ) {
    this.rollup = new Rollup(db);
  }

  async run(
    retention: Retention,
    now = Date.now(),
    stop: () => boolean = () => false,
  ): Promise<{ rollup: RollupReport; retention: RetentionReport | undefined }> {
    const rollup = await this.rollup.run(now, stop);
    if (stop() || now - this.lastRetention < RETENTION_EVERY_MS)
      return { rollup, retention: undefined };
    const r = await applyRetention(this.db, retention, now, { writer: this.writer, stop });
    this.lastRetention = now;
    const removed = r.chunks + r.heads + r.fiveMinuteRows + r.hourRows + r.series;
    if (removed > 0)
      logger.info(
        {
          context: {
            rawChunks: r.chunks + r.heads,
            fiveMinuteRows: r.fiveMinuteRows,
            hourRows: r.hourRows,
            series: r.series,
            cutoff: r.cutoff,
          },
        },
        "metrics retention removed old data",
      );
    return { rollup, retention: r };
  }
}
