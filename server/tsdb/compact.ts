import "server-only";
import type { Statement } from "better-sqlite3";
import { ChunkAppender, decodeChunk, type DecodedChunk } from "@/lib/metrics/chunk";
import { chunkListCost, chunkListParts, encodeChunkList } from "@/lib/metrics/chunk-list";
import { blockRowBytes, blockStart, COMPACT_META } from "./blocks";
import type { MetricsDb } from "./db";
import { asBytes, concatenate } from "./raw-read";
import { Meta } from "./rollup";
import { CHUNK_SAMPLES } from "./writer";

/**
 * A block is merged this long after it ends. Its series' chunks close at their first
 * sample after the boundary, seconds later for any scrape interval up to a few minutes;
 * one that closes later still (a series quiet for a while) is merged by another pass.
 */
export const COMPACT_GRACE_MS = 15 * 60_000;

export type CompactReport = {
  /** Transactions run. */
  batches: number;
  /** Series whose closed chunks were merged. */
  series: number;
  /** `chunks` rows merged into `blocks` (and deleted). */
  chunks: number;
  /** `blocks` rows written. */
  rows: number;
  /** The longest transaction, for the metrics thread's writer waits while one runs. */
  longestBatchMs: number;
};

/** A run of samples of one series and block, encoded as one XOR chunk. */
type Piece = { firstT: number; lastT: number; count: number; bytes: Uint8Array };

type ChunkRow = { first_t: number; last_t: number; count: number; data: Buffer };

/**
 * Merges the closed chunks of finished two-hour blocks (blocks.ts) into `blocks` rows:
 * per series and block, its chunks in time order in rows of at most a few KiB, and
 * deletes them from `chunks`, a batch of series per transaction. Prometheus's compactor
 * does the same with its head's chunks; here it is what keeps SQLite's per-row bytes and
 * half-empty pages off the samples (docs/benchmarks.md, "Storage").
 *
 * The chunks are copied as they are. A block's samples are decoded and encoded again
 * only when its chunks overlap (history imported beside scraped samples) or the block
 * already has rows (a chunk closed late), merged as RawReader merges them, so a read
 * returns the same samples before and after; and when a chunk written before the
 * writer cut chunks at block boundaries crosses one, it is split.
 *
 * A pass covers every series, its progress stored with each batch: a crash or a stop
 * redoes at most the batch under way, and a batch run twice finds nothing left to merge.
 */
export class ChunkCompactor {
  private readonly meta: Meta;
  private readonly rowBytes: number;
  private readonly batchSeries: number;
  private readonly budgetMs: number;
  private readonly stmt: {
    ids: Statement<[number, number], { id: number }>;
    closed: Statement<[number, number, number], ChunkRow>;
    deleteClosed: Statement<[number, number, number]>;
    blockRows: Statement<[number, number], Buffer>;
    deleteBlock: Statement<[number, number]>;
    insert: Statement<[number, number, number, number, number, Uint8Array]>;
  };

  constructor(
    private readonly db: MetricsDb,
    opts: { batchSeries?: number; budgetMs?: number } = {},
  ) {
    this.meta = new Meta(db);
    this.rowBytes = blockRowBytes(db);
    this.batchSeries = opts.batchSeries ?? 500;
    this.budgetMs = opts.budgetMs ?? 5;
    this.stmt = {
      ids: db.prepare("SELECT id FROM series WHERE id > ? ORDER BY id LIMIT ?"),
      // first_t too, so the primary key bounds the rows read.
      closed: db.prepare(
        `SELECT first_t, last_t, count, data FROM chunks WHERE series_id = ? AND first_t < ?
           AND last_t < ? ORDER BY first_t`,
      ),
      deleteClosed: db.prepare(
        "DELETE FROM chunks WHERE series_id = ? AND first_t < ? AND last_t < ?",
      ),
      blockRows: db
        .prepare<[number, number], Buffer>(
          "SELECT data FROM blocks WHERE block = ? AND series_id = ? ORDER BY first_t",
        )
        .pluck(),
      deleteBlock: db.prepare("DELETE FROM blocks WHERE block = ? AND series_id = ?"),
      insert: db.prepare(
        "INSERT INTO blocks (block, series_id, first_t, last_t, count, data) VALUES (?, ?, ?, ?, ?, ?)",
      ),
    };
  }

  /** Runs batches until no block before `now` has closed chunks left, yielding between them. */
  async run(now: number, stop: () => boolean = () => false): Promise<CompactReport> {
    const report = emptyReport();
    while (!stop() && this.step(now, report)) await new Promise((r) => setImmediate(r));
    return report;
  }

  /** The same without yielding (a benchmark's or an import's catch-up). */
  runNow(now: number): CompactReport {
    const report = emptyReport();
    while (this.step(now, report));
    return report;
  }

  /** One transaction of work, added to `report`; false when there is none left before `now`. */
  step(now: number, report: CompactReport = emptyReport()): boolean {
    const started = performance.now();
    const worked = this.db.transaction(() => this.batch(now, report)).immediate();
    if (worked) {
      report.batches++;
      report.longestBatchMs = Math.max(report.longestBatchMs, performance.now() - started);
    }
    return worked;
  }

  private batch(now: number, report: CompactReport): boolean {
    let target = this.meta.get(COMPACT_META.target);
    let after = this.meta.get(COMPACT_META.after) ?? -1;
    if (after < 0) {
      const horizon = blockStart(now - COMPACT_GRACE_MS);
      const redo = this.meta.get(COMPACT_META.redo) === 1;
      if (!(target === undefined || horizon > target) && !redo) return false;
      target = Math.max(horizon, target ?? -Infinity);
      this.meta.set(COMPACT_META.target, target);
      this.meta.set(COMPACT_META.redo, 0);
      after = 0;
    }
    const ids = this.stmt.ids.all(after, this.batchSeries);
    const started = performance.now();
    let done = 0;
    for (const { id } of ids) {
      this.compactSeries(id, target!, report);
      after = id;
      done++;
      if (performance.now() - started > this.budgetMs) break;
    }
    const over = done === ids.length && ids.length < this.batchSeries;
    this.meta.set(COMPACT_META.after, over ? -1 : after);
    return true;
  }

  /** Merges the series' closed chunks that end before `horizon` into its blocks' rows. */
  private compactSeries(id: number, horizon: number, report: CompactReport): void {
    const rows = this.stmt.closed.all(id, horizon, horizon);
    if (rows.length === 0) return;
    const byBlock = new Map<number, Piece[]>();
    for (const row of rows) {
      for (const piece of piecesOf(row)) {
        const block = blockStart(piece.firstT);
        const list = byBlock.get(block);
        if (list) list.push(piece);
        else byBlock.set(block, [piece]);
      }
    }
    for (const [block, pieces] of byBlock) {
      const existing = this.stmt.blockRows.all(block, id);
      let merged = pieces;
      if (existing.length > 0 || overlapping(pieces)) {
        // Rows first, then chunks by first timestamp: RawReader's order, so where two
        // hold a sample at the same time the one a read returned is the one kept.
        const parts: DecodedChunk[] = [];
        for (const row of existing)
          for (const chunk of chunkListParts(asBytes(row))) parts.push(decodeChunk(chunk.bytes));
        for (const p of pieces) parts.push(decodeChunk(p.bytes));
        const { t, v } = concatenate(parts);
        merged = encodePieces(t, v, 0, t.length);
        this.stmt.deleteBlock.run(block, id);
      }
      for (const row of packRows(merged, this.rowBytes)) {
        this.stmt.insert.run(block, id, row.firstT, row.lastT, row.count, row.bytes);
        report.rows++;
      }
    }
    this.stmt.deleteClosed.run(id, horizon, horizon);
    report.series++;
    report.chunks += rows.length;
  }
}

function emptyReport(): CompactReport {
  return { batches: 0, series: 0, chunks: 0, rows: 0, longestBatchMs: 0 };
}

/** A chunk row as pieces of one block each: itself, unless it crosses a block boundary. */
function piecesOf(row: ChunkRow): Piece[] {
  const bytes = asBytes(row.data);
  if (blockStart(row.first_t) === blockStart(row.last_t))
    return [{ firstT: row.first_t, lastT: row.last_t, count: row.count, bytes }];
  const { t, v } = decodeChunk(bytes);
  const out: Piece[] = [];
  for (let from = 0; from < t.length;) {
    const block = blockStart(t[from]!);
    let to = from + 1;
    while (to < t.length && blockStart(t[to]!) === block) to++;
    out.push(...encodePieces(t, v, from, to));
    from = to;
  }
  return out;
}

function overlapping(pieces: Piece[]): boolean {
  for (let i = 1; i < pieces.length; i++)
    if (pieces[i]!.firstT <= pieces[i - 1]!.lastT) return true;
  return false;
}

/** Samples from..to-1 (of one block, in time order) as chunks of at most CHUNK_SAMPLES. */
function encodePieces(t: Float64Array, v: Float64Array, from: number, to: number): Piece[] {
  const out: Piece[] = [];
  for (let i = from; i < to; i += CHUNK_SAMPLES) {
    const end = Math.min(to, i + CHUNK_SAMPLES);
    const a = new ChunkAppender();
    for (let k = i; k < end; k++) a.append(t[k]!, v[k]!);
    out.push({ firstT: t[i]!, lastT: t[end - 1]!, count: end - i, bytes: a.bytes() });
  }
  return out;
}

/** Consecutive pieces as rows of at most `limit` bytes (a larger piece is a row of its own). */
function packRows(pieces: Piece[], limit: number): Piece[] {
  const rows: Piece[] = [];
  let group: Piece[] = [];
  let bytes = 0;
  const flush = () => {
    if (group.length === 0) return;
    rows.push({
      firstT: group[0]!.firstT,
      lastT: group[group.length - 1]!.lastT,
      count: group.reduce((n, p) => n + p.count, 0),
      bytes: encodeChunkList(group.map((p) => ({ bytes: p.bytes, span: p.lastT - p.firstT }))),
    });
    group = [];
    bytes = 0;
  };
  for (const p of pieces) {
    const cost = chunkListCost({ bytes: p.bytes, span: p.lastT - p.firstT });
    if (group.length > 0 && bytes + cost > limit) flush();
    group.push(p);
    bytes += cost;
  }
  flush();
  return rows;
}
