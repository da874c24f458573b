import "server-only";
import type { Statement } from "better-sqlite3";
import { chunkFirstT, decodeChunkRange, type DecodedChunk } from "@/lib/metrics/chunk";
import { chunkListParts } from "@/lib/metrics/chunk-list";
import { BLOCK_SPAN_MS, BLOCK_STARTS_CTE, blockStart } from "./blocks";
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
    near: Statement<ReadParams, Row>;
    far: Statement<ReadParams, Row>;
  };

  constructor(db: MetricsDb) {
    // One statement, so one snapshot even outside a transaction (samples move from head
    // to chunks to blocks) and one call. Its parts come in order: blocks, then chunks by
    // first timestamp (the primary key's order), then the open chunk. No ORDER BY: its
    // sorter would copy every blob once more, and concatenate() sorts parts that were
    // not in order anyway.
    const rest = `
      UNION ALL SELECT ${CHUNK}, first_t, last_t, data FROM chunks
        WHERE series_id = ? AND first_t >= ? AND first_t <= ? AND last_t >= ?
      UNION ALL SELECT ${CHUNK}, first_t, last_t, data FROM head
        WHERE series_id = ? AND first_t <= ? AND last_t >= ?`;
    this.stmt = {
      // A window within two blocks (a recent hour): two primary-key lookups.
      near: db.prepare(
        `SELECT ${BLOCK} AS kind, first_t, last_t, data FROM blocks
           WHERE block IN (?, ?) AND series_id = ? AND first_t <= ? AND last_t >= ? ${rest}`,
      ),
      // CROSS JOIN: the block starts drive the loop, each a primary-key lookup.
      far: db.prepare(
        `${BLOCK_STARTS_CTE}
         SELECT ${BLOCK} AS kind, x.first_t, x.last_t, x.data FROM b CROSS JOIN blocks x
           ON x.block = b.block AND x.series_id = ? AND x.first_t <= ? AND x.last_t >= ? ${rest}`,
      ),
    };
  }

  /** The samples with start <= t <= end. */
  read(id: number, start: number, end: number): DecodedChunk {
    const from = blockStart(start);
    const to = blockStart(end);
    const statement = to - from > BLOCK_SPAN_MS ? this.stmt.far : this.stmt.near;
    const rows = statement.all(
      from,
      to,
      id,
      end,
      start,
      id,
      start - CHUNK_SPAN_MS,
      end,
      start,
      id,
      end,
      start,
    );
    const parts: DecodedChunk[] = [];
    for (const row of rows) {
      if (row.kind === BLOCK) blockParts(row, start, end, parts);
      else parts.push(decodeChunkRange(asBytes(row.data), start, end));
    }
    return concatenate(parts);
  }
}

// What a row of the read is: a `blocks` row (several chunks) or one chunk.
const BLOCK = 0;
const CHUNK = 1;

type ReadParams = [
  ...blocks: [from: number, to: number, id: number, end: number, start: number],
  ...chunks: [id: number, from: number, end: number, start: number],
  ...head: [id: number, end: number, start: number],
];

type Row = { kind: number; first_t: number; last_t: number; data: Buffer };

/** Decodes the chunks of a block row that overlap [start, end] into `out`. */
function blockParts(row: Row, start: number, end: number, out: DecodedChunk[]): void {
  const inside = row.first_t >= start && row.last_t <= end;
  for (const c of chunkListParts(asBytes(row.data))) {
    if (!inside) {
      const first = chunkFirstT(c.bytes)!;
      if (first > end || first + c.span < start) continue;
    }
    out.push(decodeChunkRange(c.bytes, start, end));
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
