// Downsampled points (ADR 19): one point per series per bucket with six fields, each
// field its own XOR chunk (chunk.ts) over the same timestamps, so a query decodes only
// the field its function needs. A blob is a format byte, then per field (in
// ROLLUP_FIELDS order) a uvarint byte length and the chunk.
//
// A point's timestamp is the bucket's last sample's: the time its `last` and `counter`
// were true, so rates over points stay right for buckets a series only partly filled.
// Like Thanos, every NaN is left out of every field (a bucket of NaNs only has no point);
// unlike it, a bucket that ends with a staleness marker gets a second point at the
// marker's time with the marker in every field, so queries over rollups stop seeing a
// series where raw queries stop.

import { ChunkAppender, decodeChunkRange, type DecodedChunk } from "./chunk";
import { isStaleNaN, STALE_NAN } from "./stale";

export const ROLLUP_FIELDS = ["count", "sum", "min", "max", "last", "counter"] as const;
export type RollupField = (typeof ROLLUP_FIELDS)[number];

const FORMAT = 1;

/**
 * A bucket's aggregates. `counter` is the series' first value plus every increase since,
 * by Prometheus's reset rule (a value below the previous one is a reset and counts
 * whole): a counter that never reset reads as its raw values, one that did keeps rising,
 * so rate() and increase() over it see the raw increase.
 */
export type RollupPoint =
  | {
      t: number;
      stale: false;
      count: number;
      sum: number;
      min: number;
      max: number;
      last: number;
      counter: number;
    }
  // A staleness point; its fields are the staleness NaN, written at append (an object
  // field may not keep a NaN's bits).
  | { t: number; stale: true };

/** What the next bucket needs from the points before it. */
export interface RollupCarry {
  /** The last value that was not NaN, undefined before any. */
  last: number | undefined;
  /** counter = value + offset: the sum of the values before each reset. */
  offset: number;
  /** No live point to end: none yet, or the last one written is a staleness point. */
  ended: boolean;
}

export function newCarry(): RollupCarry {
  return { last: undefined, offset: 0, ended: true };
}

/**
 * The carry after stored points, from their `last` and `counter` fields; `last` is
 * undefined if every point is a staleness point.
 */
export function carryAfter(last: Float64Array, counter: Float64Array): RollupCarry {
  const n = last.length;
  const carry: RollupCarry = {
    last: undefined,
    offset: 0,
    ended: n === 0 || isStaleNaN(last[n - 1]!),
  };
  for (let i = n - 1; i >= 0; i--) {
    if (isStaleNaN(last[i]!)) continue;
    carry.last = last[i]!;
    carry.offset = counter[i]! - last[i]!;
    break;
  }
  return carry;
}

/**
 * Raw samples (ascending) into one point per bucket of `step` ms aligned to the epoch,
 * continuing from `carry` (updated). Every sample given is rolled up: the caller passes
 * complete buckets only.
 */
export function rollupSamples(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  step: number,
  carry: RollupCarry,
): RollupPoint[] {
  const out: RollupPoint[] = [];
  const n = t.length;
  let i = 0;
  while (i < n) {
    const end = (Math.floor(t[i]! / step) + 1) * step;
    let count = 0;
    let sum = 0;
    let min = 0;
    let max = 0;
    let lastT = 0;
    let staleT: number | undefined;
    for (; i < n && t[i]! < end; i++) {
      const x = v[i]!;
      if (x !== x) {
        if (isStaleNaN(x)) staleT = t[i]!;
        continue;
      }
      staleT = undefined;
      if (count === 0) min = max = x;
      else if (x < min) min = x;
      else if (x > max) max = x;
      count++;
      sum += x;
      if (carry.last !== undefined && x < carry.last) carry.offset += carry.last;
      carry.last = x;
      lastT = t[i]!;
    }
    if (count > 0) {
      const last = carry.last!;
      out.push({
        t: lastT,
        stale: false,
        count,
        sum,
        min,
        max,
        last,
        counter: last + carry.offset,
      });
      carry.ended = false;
    }
    if (staleT !== undefined && !carry.ended) {
      out.push({ t: staleT, stale: true });
      carry.ended = true;
    }
  }
  return out;
}

/** Every field of a run of points, as decoded. */
export type DecodedRollup = { t: Float64Array } & Record<RollupField, Float64Array>;

/**
 * Finer points into one per bucket of `step` ms (5-minute points into hours): counts and
 * sums add, min and max of the mins and maxes, `last` and `counter` of the last point.
 */
export function rollupPoints(p: DecodedRollup, step: number, carry: RollupCarry): RollupPoint[] {
  const out: RollupPoint[] = [];
  const n = p.t.length;
  let i = 0;
  while (i < n) {
    const end = (Math.floor(p.t[i]! / step) + 1) * step;
    let count = 0;
    let sum = 0;
    let min = 0;
    let max = 0;
    let lastI = -1;
    let staleT: number | undefined;
    for (; i < n && p.t[i]! < end; i++) {
      if (isStaleNaN(p.last[i]!)) {
        staleT = p.t[i]!;
        continue;
      }
      staleT = undefined;
      const lo = p.min[i]!;
      const hi = p.max[i]!;
      if (lastI < 0) {
        min = lo;
        max = hi;
      } else {
        if (lo < min) min = lo;
        if (hi > max) max = hi;
      }
      count += p.count[i]!;
      sum += p.sum[i]!;
      lastI = i;
    }
    if (lastI >= 0) {
      const last = p.last[lastI]!;
      const counter = p.counter[lastI]!;
      out.push({ t: p.t[lastI]!, stale: false, count, sum, min, max, last, counter });
      carry.last = last;
      carry.offset = counter - last;
      carry.ended = false;
    }
    if (staleT !== undefined && !carry.ended) {
      out.push({ t: staleT, stale: true });
      carry.ended = true;
    }
  }
  return out;
}

/** The fields of one stored run of points; resumed from its blob to append more. */
export class RollupAppender {
  private readonly apps: ChunkAppender[];

  constructor(existing?: Uint8Array) {
    this.apps = ROLLUP_FIELDS.map((_, i) =>
      existing ? new ChunkAppender(fieldBytes(existing, i)) : new ChunkAppender(),
    );
  }

  get count(): number {
    return this.apps[0]!.count;
  }

  get firstT(): number | undefined {
    return this.apps[0]!.firstT;
  }

  get lastT(): number | undefined {
    return this.apps[0]!.lastT;
  }

  append(p: RollupPoint): void {
    if (p.stale) {
      for (const a of this.apps) a.append(p.t, STALE_NAN);
      return;
    }
    const [count, sum, min, max, last, counter] = this.apps as [
      ChunkAppender,
      ChunkAppender,
      ChunkAppender,
      ChunkAppender,
      ChunkAppender,
      ChunkAppender,
    ];
    count.append(p.t, p.count);
    sum.append(p.t, p.sum);
    min.append(p.t, p.min);
    max.append(p.t, p.max);
    last.append(p.t, p.last);
    counter.append(p.t, p.counter);
  }

  /**
   * The carry after the newest point, from the appenders' state (no decoding); undefined
   * when that point is a staleness point or there is none (the caller decodes then).
   */
  carry(): RollupCarry | undefined {
    const out = new Float64Array(2);
    if (!this.apps[4]!.lastValueInto(out, 0) || isStaleNaN(out[0]!)) return undefined;
    this.apps[5]!.lastValueInto(out, 1);
    return { last: out[0]!, offset: out[1]! - out[0]!, ended: false };
  }

  bytes(): Uint8Array {
    const parts = this.apps.map((a) => a.bytes());
    const out = new Uint8Array(1 + parts.reduce((n, b) => n + uvarintSize(b.length) + b.length, 0));
    out[0] = FORMAT;
    let at = 1;
    for (const b of parts) {
      for (let x = b.length; ; x >>>= 7) {
        out[at++] = x >= 0x80 ? (x & 0x7f) | 0x80 : x;
        if (x < 0x80) break;
      }
      out.set(b, at);
      at += b.length;
    }
    return out;
  }
}

function uvarintSize(x: number): number {
  let n = 1;
  while (x >= 0x80) {
    x >>>= 7;
    n++;
  }
  return n;
}

/** The chunk of field `index` in a blob (a view, not a copy). */
function fieldBytes(blob: Uint8Array, index: number): Uint8Array {
  if (blob[0] !== FORMAT) throw new RangeError(`rollup blob of unknown format ${blob[0]}`);
  let at = 1;
  for (let i = 0; ; i++) {
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= blob.length || shift > 28) throw new RangeError("corrupt rollup blob");
      const b = blob[at++]!;
      len |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    if (at + len > blob.length) throw new RangeError("corrupt rollup blob: field past the end");
    if (i === index) return blob.subarray(at, at + len);
    at += len;
  }
}

/** One field's points with mint <= t <= maxt. */
export function decodeRollupField(
  blob: Uint8Array,
  field: RollupField,
  mint = -Infinity,
  maxt = Infinity,
): DecodedChunk {
  return decodeChunkRange(fieldBytes(blob, ROLLUP_FIELDS.indexOf(field)), mint, maxt);
}

/** Every field's points with mint <= t <= maxt. */
export function decodeRollup(blob: Uint8Array, mint = -Infinity, maxt = Infinity): DecodedRollup {
  const out = {} as DecodedRollup;
  for (const f of ROLLUP_FIELDS) {
    const d = decodeRollupField(blob, f, mint, maxt);
    out.t = d.t;
    out[f] = d.v;
  }
  return out;
}
