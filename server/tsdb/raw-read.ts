import "server-only";
import type { Statement } from "better-sqlite3";
import { decodeChunkRange, type DecodedChunk } from "@/lib/metrics/chunk";
import type { MetricsDb } from "./db";
import { CHUNK_SPAN_MS } from "./writer";

/**
 * Reads one series' raw samples from its closed chunks and its open one. Chunks are read
 * by (series, first timestamp), so a recent window reads a few rows however long the
 * series' history is. The querier and the rollup read through this one reader.
 */
export class RawReader {
  private readonly stmt: {
    chunks: Statement<[number, number, number, number], Buffer>;
    head: Statement<[number, number, number], Buffer>;
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
    };
  }

  /** The samples with start <= t <= end. */
  read(id: number, start: number, end: number): DecodedChunk {
    const rows = this.stmt.chunks.all(id, start - CHUNK_SPAN_MS, end, start);
    const head = this.stmt.head.get(id, end, start);
    if (head) rows.push(head);
    return concatenate(rows.map((row) => decodeChunkRange(asBytes(row), start, end)));
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
 * are sorted by time, the first of equal timestamps kept.
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
