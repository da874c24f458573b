import "server-only";
import type { Statement } from "better-sqlite3";
import { chunkFirstT, decodeChunkRange, type DecodedChunk } from "@/lib/metrics/chunk";
import { chunkListParts } from "@/lib/metrics/chunk-list";
import { BLOCK_STARTS_CTE, blockStart } from "./blocks";
import type { MetricsDb } from "./db";
import { CHUNK_SPAN_MS } from "./writer";

/**
 * Reads one series' raw samples from its compacted blocks, its closed chunks and its open
 * one. Chunks are read by (series, first timestamp) and block rows by (block, series),
 * so a recent window reads a few rows however long the series' history is, and within a
 * block row only the chunks that overlap the window are decoded. The querier and the
 * rollup read through this one reader.
 */
export class RawReader {
  private readonly stmt: {
    chunks: Statement<[number, number, number, number], Buffer>;
    head: Statement<[number, number, number], Buffer>;
    blocks: Statement<[number, number, number, number, number], BlockRow>;
  };

  constructor(db: MetricsDb) {
    this.stmt = {
      // pluck: the blob alone, without an object a row.
      chunks: db
        .prepare<[number, number, number, number], Buffer>(
          `SELECT data FROM chunks WHERE series_id = ? AND first_t >= ? AND first_t <= ?
             AND last_t >= ? ORDER BY first_t`,
        )
        .pluck(),
      head: db
        .prepare<[number, number, number], Buffer>(
          "SELECT data FROM head WHERE series_id = ? AND first_t <= ? AND last_t >= ?",
        )
        .pluck(),
      // CROSS JOIN: the block starts drive the loop, each a primary-key lookup.
      blocks: db.prepare(
        `${BLOCK_STARTS_CTE}
         SELECT x.last_t, x.data FROM b CROSS JOIN blocks x
           ON x.block = b.block AND x.series_id = ? AND x.first_t <= ? AND x.last_t >= ?
           ORDER BY x.block, x.first_t`,
      ),
    };
  }

  /** The samples with start <= t <= end. */
  read(id: number, start: number, end: number): DecodedChunk {
    // Newest first: samples move from head to chunks to blocks, so outside a transaction
    // a move between two statements shows a sample twice (merged away below), never not at all.
    const head = this.stmt.head.get(id, end, start);
    const chunks = this.stmt.chunks.all(id, start - CHUNK_SPAN_MS, end, start);
    const rows = this.stmt.blocks.all(blockStart(start), blockStart(end), id, end, start);
    const parts: DecodedChunk[] = [];
    for (const row of rows) blockParts(asBytes(row.data), row.last_t, start, end, parts);
    for (const c of chunks) parts.push(decodeChunkRange(asBytes(c), start, end));
    if (head) parts.push(decodeChunkRange(asBytes(head), start, end));
    return concatenate(parts);
  }
}

type BlockRow = { last_t: number; data: Buffer };

/**
 * Decodes the chunks of a block row that overlap [start, end] into `out`. The chunks of
 * a row are in time order and do not overlap, so one ends before the next one starts.
 */
function blockParts(
  bytes: Uint8Array,
  lastT: number,
  start: number,
  end: number,
  out: DecodedChunk[],
): void {
  const chunks = chunkListParts(bytes);
  let first = chunkFirstT(chunks[0]!)!;
  for (let i = 0; i < chunks.length; i++) {
    if (first > end) return;
    const next = i + 1 < chunks.length ? chunkFirstT(chunks[i + 1]!)! : undefined;
    const reaches = next === undefined ? lastT >= start : next > start;
    if (reaches) out.push(decodeChunkRange(chunks[i]!, start, end));
    if (next !== undefined) first = next;
  }
}

/** A Buffer from better-sqlite3 as a Uint8Array over the same bytes. */
export function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * One series' samples from its chunks, in Float64Arrays: a plain JS array may rewrite
 * a NaN's bits, and the staleness marker is a NaN told apart by its bits. Chunks of one
 * series overlap only when history was imported beside what was scraped: then samples
 * are sorted by time, the first of equal timestamps kept (RawReader passes blocks, then
 * closed chunks by first timestamp, then the open chunk; the compaction merges in the
 * same order, so it keeps the sample a read returned).
 */
export function concatenate(parts: DecodedChunk[]): DecodedChunk {
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((sum, p) => sum + p.t.length, 0);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let at = 0;
  let ordered = true;
  for (const p of parts) {
    if (p.t.length === 0) continue;
    if (at > 0 && p.t[0]! <= t[at - 1]!) ordered = false;
    t.set(p.t, at);
    v.set(p.v, at);
    at += p.t.length;
  }
  if (ordered) return { t, v };
  const order = Array.from(t, (_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
  const outT = new Float64Array(n);
  const outV = new Float64Array(n);
  let k = 0;
  for (const i of order) {
    if (k > 0 && outT[k - 1] === t[i]) continue;
    outT[k] = t[i]!;
    outV[k] = v[i]!;
    k++;
  }
  return { t: outT.subarray(0, k), v: outV.subarray(0, k) };
}
