import "server-only";
import { logger } from "@/server/logger";
import { ChunkCompactor, type CompactReport } from "./compact";
import type { MetricsDb } from "./db";
import { applyRetention, type Retention, type RetentionReport } from "./retention";
import { Rollup, type RollupReport } from "./rollup";
import type { TsdbWriter } from "./writer";

/** How often the metrics thread runs this (a 5-minute bucket is rolled up 2 minutes after it ends). */
export const MAINTENANCE_EVERY_MS = 60_000;
export const RETENTION_EVERY_MS = 3_600_000;

export type MaintenanceReport = {
  rollup: RollupReport;
  compaction: CompactReport | undefined;
  retention: RetentionReport | undefined;
};

/**
 * The metrics thread's upkeep of metrics.db: the rollup and the compaction of closed
 * chunks at every run (the compaction has work once a two-hour block has ended, or when
 * a chunk was written into one it had merged), retention once an hour, all in batches
 * that yield between transactions so the writer's commit and the scrapes go on. `stop`
 * is asked between batches (the thread stopping, or its lease lost).
 */
export class MetricsMaintenance {
  private readonly rollup: Rollup;
  private readonly compactor: ChunkCompactor;
  private lastRetention = -Infinity;

  constructor(
    private readonly db: MetricsDb,
    private readonly writer: TsdbWriter,
  ) {
    this.rollup = new Rollup(db);
    this.compactor = new ChunkCompactor(db);
  }

  async run(
    retention: Retention,
    now = Date.now(),
    stop: () => boolean = () => false,
  ): Promise<MaintenanceReport> {
    const rollup = await this.rollup.run(now, stop);
    if (stop()) return { rollup, compaction: undefined, retention: undefined };
    const compaction = await this.compactor.run(now, stop);
    if (stop() || now - this.lastRetention < RETENTION_EVERY_MS)
      return { rollup, compaction, retention: undefined };
    const r = await applyRetention(this.db, retention, now, { writer: this.writer, stop });
    this.lastRetention = now;
    const removed = r.chunks + r.blockRows + r.heads + r.fiveMinuteRows + r.hourRows + r.series;
    if (removed > 0)
      logger.info(
        {
          context: {
            rawChunks: r.chunks + r.heads,
            rawBlockRows: r.blockRows,
            fiveMinuteRows: r.fiveMinuteRows,
            hourRows: r.hourRows,
            series: r.series,
            cutoff: r.cutoff,
          },
        },
        "metrics retention removed old data",
      );
    return { rollup, compaction, retention: r };
  }
}
