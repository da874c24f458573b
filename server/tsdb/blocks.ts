import "server-only";
import type { MetricsDb } from "./db";

/**
 * Closed chunks are merged per series and epoch-aligned two-hour block (Prometheus's
 * block range) into rows of metrics.db's `blocks` table (server/tsdb/compact.ts). The
 * writer cuts a chunk at every block boundary, so a chunk, and so a row, holds samples
 * of one block only. Fixed: rows are found by their block's start, so changing the
 * span needs a migration.
 */
export const BLOCK_SPAN_MS = 2 * 3_600_000;

export function blockStart(t: number): number {
  return Math.floor(t / BLOCK_SPAN_MS) * BLOCK_SPAN_MS;
}

/**
 * metrics.db's `meta` keys of the compaction. `target`: the horizon of the latest pass
 * (every closed chunk ending before it is merged once that pass ends); `after`: the last
 * series id that pass has done, -1 once it is over; `redo`: 1 when the writer stored a
 * closed chunk before `target` (an import, a series that was quiet for hours), so a new
 * pass is due even though the horizon has not moved.
 */
export const COMPACT_META = {
  target: "compact.target",
  after: "compact.after",
  redo: "compact.redo",
} as const;

/**
 * The block starts from the first parameter to the second (multiples of BLOCK_SPAN_MS,
 * bound before any other parameter of the statement), narrowed to the blocks
 * the table holds: a join with it looks each block up by the primary key. Rows are
 * keyed time first, so one series' rows over a range are one lookup per block.
 */
export const BLOCK_STARTS_CTE = `WITH RECURSIVE b(block) AS (
    SELECT max(?, (SELECT min(block) FROM blocks))
    UNION ALL SELECT block + ${BLOCK_SPAN_MS} FROM b
      WHERE block + ${BLOCK_SPAN_MS} <= min(?, (SELECT max(block) FROM blocks))
  )`;

/**
 * The most chunk bytes a `blocks` row takes: what SQLite keeps in the page of a WITHOUT
 * ROWID table, less a margin for the row's key and header (past it a row spills into
 * overflow pages, the last one mostly empty). About 4 KiB with 16 KiB pages, so a
 * series scraped every 15 s has one row a block; 938 bytes with 4 KiB pages. A chunk
 * larger than this is a row of its own. Measured with 1, 2 and 4 KiB: the larger rows
 * are a little smaller in all (docs/benchmarks.md, "Storage").
 */
export function blockRowBytes(db: MetricsDb): number {
  const page = db.pragma("page_size", { simple: true }) as number;
  // SQLite's maxLocal for index b-trees (btree.c).
  const maxLocal = Math.floor(((page - 12) * 64) / 255) - 23;
  return maxLocal - 64;
}
