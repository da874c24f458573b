import "server-only";
import type { Statement } from "better-sqlite3";
import type { MetricsConfig } from "@/server/config/metrics-schema";
import { BLOCK_SPAN_MS, BLOCK_STARTS_CTE, blockStart } from "./blocks";
import type { MetricsDb } from "./db";
import { labelsFromKey } from "./labels";
import { FIVE_MINUTES, HOUR, Meta, META } from "./rollup";
import type { TsdbWriter } from "./writer";

export type Retention = MetricsConfig["retention"];

export type RetentionReport = {
  /** Where each resolution's data now starts (ms); older data was deleted. */
  cutoff: { raw: number; "5m": number; "1h": number };
  chunks: number;
  /** Compacted `blocks` rows of raw samples. */
  blockRows: number;
  heads: number;
  fiveMinuteRows: number;
  hourRows: number;
  series: number;
  batches: number;
};

/**
 * Deletes raw chunks and blocks, 5-minute rows and hourly rows older than their retention,
 * and series left with nothing at any resolution (their postings too), a batch of series
 * per transaction. A row is deleted once its last sample is past the cut-off: one that
 * straddles it (a chunk, or a block row of up to two hours) is kept whole until then,
 * as Prometheus keeps a block, so raw data reaches back up to two hours further than
 * the retention. Nothing is deleted before the next coarser rollup has read it: raw data
 * waits for the 5-minute rollup, 5-minute points for the hourly one. The cut-offs are
 * stored first, so a query never reads a resolution where its data is being deleted.
 * With `writer` (the metrics thread's), a series it has uncommitted samples for keeps
 * its open chunk and its row.
 */
export async function applyRetention(
  db: MetricsDb,
  retention: Retention,
  now: number,
  opts: { writer?: TsdbWriter; batchSeries?: number; stop?: () => boolean; yield?: boolean } = {},
): Promise<RetentionReport> {
  const meta = new Meta(db);
  const batchSeries = opts.batchSeries ?? 500;
  const stmt = statements(db);
  const cutoff = db
    .transaction(() => {
      const done5 = meta.get(META.done("5m")) ?? -Infinity;
      const done1h = meta.get(META.done("1h")) ?? -Infinity;
      const c = {
        raw: Math.min(now - retention.raw, done5),
        "5m": Math.min(now - retention.fiveMinute, done1h),
        "1h": now - retention.hour,
      };
      // Never back: a shorter retention configured and then a longer one does not bring data back.
      for (const r of ["raw", "5m", "1h"] as const) {
        c[r] = Math.max(c[r], meta.get(META.from(r)) ?? -Infinity);
        if (Number.isFinite(c[r])) meta.set(META.from(r), c[r]);
      }
      return c;
    })
    .immediate();
  const report: RetentionReport = {
    cutoff,
    chunks: 0,
    blockRows: 0,
    heads: 0,
    fiveMinuteRows: 0,
    hourRows: 0,
    series: 0,
    batches: 0,
  };
  // -Infinity (nothing to delete yet) as the smallest integer SQLite compares with.
  const raw = bound(cutoff.raw);
  const five = bound(cutoff["5m"]);
  const hour = bound(cutoff["1h"]);
  await deleteBlocks(db, stmt, raw, batchSeries, report, opts);
  let after = 0;
  for (;;) {
    if (opts.stop?.()) break;
    const ids = stmt.ids.all(after, batchSeries);
    if (ids.length === 0) break;
    db.transaction(() => {
      for (const { id, key } of ids) {
        report.chunks += stmt.chunks.run(id, raw, raw).changes;
        const head = stmt.headEnd.get(id);
        if (head && head.last_t < raw && (opts.writer?.release(id) ?? true)) {
          report.heads += stmt.deleteHead.run(id).changes;
        }
        report.fiveMinuteRows += stmt.rollups.run(id, FIVE_MINUTES, five, five).changes;
        report.hourRows += stmt.rollups.run(id, HOUR, hour, hour).changes;
        const kept = stmt.anything.get(
          id,
          id,
          id,
          Number.MIN_SAFE_INTEGER,
          Number.MAX_SAFE_INTEGER,
          id,
        );
        if (kept || !(opts.writer?.release(id) ?? true)) continue;
        for (const [name, value] of labelsFromKey(key)) stmt.deletePosting.run(name, value, id);
        stmt.deleteSeries.run(id);
        report.series++;
      }
    }).immediate();
    report.batches++;
    after = ids[ids.length - 1]!.id;
    if (opts.yield !== false) await new Promise((resolve) => setImmediate(resolve));
  }
  return report;
}

function bound(t: number): number {
  return Number.isFinite(t) ? t : Number.MIN_SAFE_INTEGER;
}

/**
 * The `blocks` rows that end before `raw`. They are keyed by block first, so this goes
 * block by block from the oldest to the one the cut-off falls in, a batch of rows per
 * transaction.
 */
async function deleteBlocks(
  db: MetricsDb,
  stmt: ReturnType<typeof statements>,
  raw: number,
  batchRows: number,
  report: RetentionReport,
  opts: { stop?: () => boolean; yield?: boolean },
): Promise<void> {
  const last = blockStart(raw);
  for (let block = stmt.oldestBlock.get()?.block; block != null && block <= last;) {
    let after = 0;
    for (;;) {
      if (opts.stop?.()) return;
      // The batch ends at the batchRows-th row's series: a series' rows of a block go together.
      const upTo = stmt.nthSeries.get(block, after, batchRows - 1)?.id;
      db.transaction(() => {
        report.blockRows += stmt.blocks.run(
          block!,
          after,
          upTo ?? Number.MAX_SAFE_INTEGER,
          raw,
        ).changes;
      }).immediate();
      report.batches++;
      if (opts.yield !== false) await new Promise((resolve) => setImmediate(resolve));
      if (upTo === undefined) break;
      after = upTo;
    }
    block = stmt.nextBlock.get(block + BLOCK_SPAN_MS)?.block;
  }
}

function statements(db: MetricsDb): {
  ids: Statement<[number, number], { id: number; key: string }>;
  chunks: Statement<[number, number, number]>;
  oldestBlock: Statement<[], { block: number | null }>;
  nextBlock: Statement<[number], { block: number }>;
  nthSeries: Statement<[number, number, number], { id: number }>;
  blocks: Statement<[number, number, number, number]>;
  headEnd: Statement<[number], { last_t: number }>;
  deleteHead: Statement<[number]>;
  rollups: Statement<[number, number, number, number]>;
  anything: Statement<[number, number, number, number, number, number], { x: number }>;
  deletePosting: Statement<[string, string, number]>;
  deleteSeries: Statement<[number]>;
} {
  return {
    ids: db.prepare("SELECT id, key FROM series WHERE id > ? ORDER BY id LIMIT ?"),
    // first_t too, so the primary key bounds the rows read.
    chunks: db.prepare("DELETE FROM chunks WHERE series_id = ? AND first_t < ? AND last_t < ?"),
    oldestBlock: db.prepare("SELECT min(block) AS block FROM blocks"),
    nextBlock: db.prepare("SELECT block FROM blocks WHERE block >= ? ORDER BY block LIMIT 1"),
    nthSeries: db.prepare(
      "SELECT series_id AS id FROM blocks WHERE block = ? AND series_id > ? ORDER BY series_id LIMIT 1 OFFSET ?",
    ),
    blocks: db.prepare(
      "DELETE FROM blocks WHERE block = ? AND series_id > ? AND series_id <= ? AND last_t < ?",
    ),
    headEnd: db.prepare("SELECT last_t FROM head WHERE series_id = ?"),
    deleteHead: db.prepare("DELETE FROM head WHERE series_id = ?"),
    rollups: db.prepare(
      "DELETE FROM rollups WHERE series_id = ? AND step = ? AND first_t < ? AND last_t < ?",
    ),
    anything: db.prepare(
      `SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM chunks WHERE series_id = ?)
         OR EXISTS (SELECT 1 FROM head WHERE series_id = ?)
         OR EXISTS (SELECT 1 FROM rollups WHERE series_id = ?)
         OR EXISTS (${BLOCK_STARTS_CTE}
           SELECT 1 FROM b CROSS JOIN blocks x ON x.block = b.block AND x.series_id = ?)`,
    ),
    deletePosting: db.prepare(
      "DELETE FROM postings WHERE name = ? AND value = ? AND series_id = ?",
    ),
    deleteSeries: db.prepare("DELETE FROM series WHERE id = ?"),
  };
}
