// Prometheus's XOR chunk (tsdb/chunkenc/xor.go), byte for byte as Prometheus 3.x writes
// it (2.x differs in one trailing zero byte, see ChunkAppender), so a chunk can be checked
// against Prometheus's own and the format never depends on this code alone:
//
//   2 bytes    sample count, big-endian
//   varint     first timestamp (zig-zag, like Go's binary.PutVarint)
//   64 bits    first value
//   uvarint    second timestamp minus the first
//   bits       the second value XORed with the first (below)
//   then per sample: delta-of-delta of the timestamp
//     '0' (0) | '10' + 14 bits | '110' + 17 bits | '1110' + 20 bits | '1111' + 64 bits
//   and the value XORed with the previous one
//     '0' same | '10' + bits in the previous window | '11' + 5 bits leading zeros
//     + 6 bits significant width (64 written as 0) + the significant bits.
//
// JS has no 64-bit integers: floats are handled as two 32-bit halves read from their
// bytes, and timestamps as numbers, exact while they are safe integers. Only sums that
// leave the safe range (absurd jumps between timestamps near ±2^53) take a BigInt path.

const HEADER_BYTES = 2;

/** Prometheus panics past this; the count has to fit the 2-byte header. */
export const MAX_CHUNK_SAMPLES = 0xffff;

// The leading-zero count before any value has changed: the first change always writes
// its own window ('11'), as Prometheus's appender does (it starts at 0xff too).
const UNSET = 0xff;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TWO32 = 2 ** 32;
// One sample writes at most 4 + 64 bits of timestamp and 2 + 11 + 64 of value, or a
// 10-byte varint and 64 bits: reserving this much before each append means the bit
// writer never checks its capacity.
const MAX_SAMPLE_BYTES = 24;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// Where a float64's high and low 32 bits sit in an Int32Array over its bytes. Bit
// patterns are kept as int32 throughout: V8 keeps those unboxed, uint32s past 2^31 not.
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function corrupt(why: string): Error {
  return new RangeError(`corrupt XOR chunk: ${why}`);
}

function checkTimestamp(t: number): number {
  if (t > MAX_SAFE || t < -MAX_SAFE) {
    throw new RangeError(`chunk timestamp ${t} is outside the safe integer range`);
  }
  return t;
}

// Where a walk over a chunk stands. Every reader of the format (decoders, stats, the
// appender resuming) goes through one walk() so they cannot disagree.
interface Cursor {
  readonly bytes: Uint8Array;
  readonly count: number;
  /** Samples walked so far. */
  read: number;
  /** Bits used so far, header included. */
  pos: number;
  firstT: number;
  t: number;
  tDelta: number;
  // tDelta is exact while it is a safe integer; past that the previous timestamp
  // (always safe) recovers it exactly.
  exact: boolean;
  tPrev: number;
  vhi: number;
  vlo: number;
  leading: number;
  trailing: number;
}

function openCursor(bytes: Uint8Array): Cursor {
  if (bytes.length < HEADER_BYTES) throw corrupt(`${bytes.length} bytes, shorter than a header`);
  return {
    bytes,
    count: (bytes[0]! << 8) | bytes[1]!,
    read: 0,
    pos: HEADER_BYTES * 8,
    firstT: 0,
    t: 0,
    tDelta: 0,
    exact: true,
    tPrev: 0,
    vhi: 0,
    vlo: 0,
    leading: UNSET,
    trailing: 0,
  };
}

// Past the end these read zeros instead of indexing outside the array (which V8 makes
// slow); walk() notices a sample that ran past the end once it is read.
function bitAt(b: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  return i < b.length ? (b[i]! >>> (7 - (pos & 7))) & 1 : 0;
}

function byteAt(b: Uint8Array, i: number): number {
  return i < b.length ? b[i]! : 0;
}

// Two's complement over `size` bits, with the range shifted up by one
// (-(2^(size-1)-1) .. 2^(size-1)), as Prometheus's bitRange has it.
function signed(x: number, size: number): number {
  return x > 1 << (size - 1) ? x - (1 << size) : x;
}

// 1 to 31 bits from `pos` as an unsigned number, or 32 as an int32.
function bitsAt(b: Uint8Array, pos: number, n: number): number {
  const i = pos >>> 3;
  const s = pos & 7;
  let w: number;
  if (i + 4 < b.length) {
    w = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
    if (s !== 0) w = (w << s) | (b[i + 4]! >>> (8 - s));
  } else {
    w =
      (byteAt(b, i) << 24) | (byteAt(b, i + 1) << 16) | (byteAt(b, i + 2) << 8) | byteAt(b, i + 3);
    if (s !== 0) w = (w << s) | (byteAt(b, i + 4) >>> (8 - s));
  }
  return n === 32 ? w : w >>> (32 - n);
}

// The first sample: a zig-zag varint (the low bit is the sign, the rest the magnitude,
// minus one if negative; rebuilding the magnitude directly keeps it exact up to 2^53)
// and 64 raw bits. Varints are written byte-aligned but read bit by bit, as Prometheus does.
function readFirst(c: Cursor): void {
  const first = bitsAt(c.bytes, c.pos, 8);
  c.pos += 8;
  let mag = (first & 0x7f) >>> 1;
  let scale = 64;
  for (let more = first & 0x80, i = 1; more !== 0; i++) {
    if (i === 10) throw corrupt("varint longer than 10 bytes");
    const byte = bitsAt(c.bytes, c.pos, 8);
    c.pos += 8;
    mag += (byte & 0x7f) * scale;
    scale *= 128;
    more = byte & 0x80;
  }
  c.t = c.firstT = checkTimestamp((first & 1) === 0 ? mag : -mag - 1);
  c.vhi = bitsAt(c.bytes, c.pos, 32);
  c.vlo = bitsAt(c.bytes, c.pos + 32, 32);
  c.pos += 64;
}

// The second timestamp: an unsigned varint delta.
function readFirstDelta(c: Cursor): void {
  let delta = 0;
  let scale = 1;
  const bytes: number[] = [];
  for (let more = 0x80; more !== 0;) {
    if (bytes.length === 10) throw corrupt("uvarint longer than 10 bytes");
    const byte = bitsAt(c.bytes, c.pos, 8);
    c.pos += 8;
    bytes.push(byte);
    delta += (byte & 0x7f) * scale;
    scale *= 128;
    more = byte & 0x80;
  }
  c.tPrev = c.t;
  if (delta <= MAX_SAFE) {
    c.tDelta = delta;
    c.t = checkTimestamp(c.t + delta);
    return;
  }
  let big = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) big = (big << 7n) | BigInt(bytes[i]! & 0x7f);
  // Prometheus adds int64(tDelta): a delta of 2^63 or more wraps to a negative one.
  setExact(c, BigInt(c.t), BigInt.asIntN(64, big));
}

// A dod that a number cannot add exactly to the cursor's delta, or a delta that is not exact.
function stepExact(c: Cursor, dod: bigint): void {
  const t = BigInt(c.t);
  const previous = c.exact ? BigInt(c.tDelta) : t - BigInt(c.tPrev);
  c.tPrev = c.t;
  setExact(c, t, previous + dod);
}

function setExact(c: Cursor, t: bigint, delta: bigint): void {
  const next = t + delta;
  if (next > BigInt(MAX_SAFE) || next < -BigInt(MAX_SAFE)) {
    throw new RangeError(`chunk timestamp ${next} is outside the safe integer range`);
  }
  c.t = Number(next);
  c.tDelta = Number(delta);
  c.exact = delta <= BigInt(MAX_SAFE) && delta >= -BigInt(MAX_SAFE);
}

/**
 * Walks on from `c` to the end of the chunk, writing the samples with mint <= t <= maxt
 * into `tOut` and `bitsOut` (the values' 32-bit halves at HI/LO) when given, and stops
 * after the first sample past maxt. Returns how many samples it wrote.
 */
function walk(
  c: Cursor,
  mint: number,
  maxt: number,
  tOut: Float64Array | null,
  bitsOut: Int32Array | null,
): number {
  const b = c.bytes;
  const endBit = b.length * 8;
  const count = c.count;
  let written = 0;
  let n = c.read;
  // The hot state lives in locals; the cursor is brought up to date around the rare
  // paths that take it and at the end.
  let pos = c.pos;
  let t = c.t;
  let tDelta = c.tDelta;
  let exact = c.exact;
  let vhi = c.vhi;
  let vlo = c.vlo;
  let leading = c.leading;
  let trailing = c.trailing;
  for (; n < count; n++) {
    if (n < 2) {
      c.pos = pos;
      if (n === 0) readFirst(c);
      else readFirstDelta(c);
      ({ pos, t, tDelta, exact, vhi, vlo } = c);
    } else {
      let dod = 0;
      let big: bigint | null = null;
      if (bitAt(b, pos) === 0) {
        pos += 1;
      } else if (bitAt(b, pos + 1) === 0) {
        dod = signed(bitsAt(b, pos + 2, 14), 14);
        pos += 16;
      } else if (bitAt(b, pos + 2) === 0) {
        dod = signed(bitsAt(b, pos + 3, 17), 17);
        pos += 20;
      } else if (bitAt(b, pos + 3) === 0) {
        dod = signed(bitsAt(b, pos + 4, 20), 20);
        pos += 24;
      } else {
        const hi = bitsAt(b, pos + 4, 32) | 0;
        const lo = bitsAt(b, pos + 36, 32) >>> 0;
        pos += 68;
        // Within ±2^53 a number holds the dod exactly and the sum below stays exact.
        if (hi >= -0x200000 && hi < 0x200000) dod = hi * TWO32 + lo;
        else big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
      }
      const delta = tDelta + dod;
      if (big === null && exact && delta <= MAX_SAFE && delta >= -MAX_SAFE) {
        tDelta = delta;
        t += delta;
        if (t > MAX_SAFE || t < -MAX_SAFE) checkTimestamp(t);
      } else {
        Object.assign(c, { t, tDelta, exact });
        stepExact(c, big ?? BigInt(dod));
        ({ t, tDelta, exact } = c);
      }
    }
    if (n === 0) {
      // The first value is raw bits, read with the timestamp.
    } else if (bitAt(b, pos) === 0) {
      pos += 1;
    } else {
      if (bitAt(b, pos + 1) === 0) {
        pos += 2;
        // A window reused before any was set: Prometheus's iterator starts at 0/0, and
        // an appender it resumed writes exactly that.
        if (leading === UNSET) leading = trailing = 0;
      } else {
        const control = bitsAt(b, pos + 2, 11);
        pos += 13;
        leading = control >>> 6;
        const width = control & 63 || 64;
        trailing = 64 - leading - width;
        if (trailing < 0) throw corrupt(`${leading} leading zeros and ${width} significant bits`);
      }
      const width = 64 - leading - trailing;
      let dhi: number;
      let dlo: number;
      if (width <= 32) {
        const s = bitsAt(b, pos, width);
        if (trailing >= 32) {
          dhi = s << (trailing - 32);
          dlo = 0;
        } else if (trailing === 0) {
          dhi = 0;
          dlo = s;
        } else {
          dhi = s >>> (32 - trailing);
          dlo = s << trailing;
        }
      } else {
        const sh = bitsAt(b, pos, width - 32);
        const sl = bitsAt(b, pos + width - 32, 32);
        if (trailing === 0) {
          dhi = sh;
          dlo = sl;
        } else {
          dhi = (sh << trailing) | (sl >>> (32 - trailing));
          dlo = sl << trailing;
        }
      }
      pos += width;
      vhi ^= dhi;
      vlo ^= dlo;
    }
    if (pos > endBit) throw corrupt(`sample ${n} runs past the end`);
    if (t < mint) continue;
    if (t > maxt) {
      n++;
      break;
    }
    if (tOut !== null) tOut[written] = t;
    if (bitsOut !== null) {
      bitsOut[2 * written + HI] = vhi;
      bitsOut[2 * written + LO] = vlo;
    }
    written++;
  }
  Object.assign(c, { read: n, pos, t, tDelta, exact, vhi, vlo, leading, trailing });
  return written;
}

/** Builds one chunk. Closed chunks are never appended to; the open one is, resumed from its bytes. */
export class ChunkAppender {
  private buf: Uint8Array;
  private bitLen: number;
  private n: number;
  private first = 0;
  private t = 0;
  private tPrev = 0;
  private tDelta = 0;
  private vhi = 0;
  private vlo = 0;
  private leading = UNSET;
  private trailing = 0;

  /**
   * Resuming decodes `existing` once to recover where the bits end and the appender's
   * state (the bytes alone do not say where the last partial byte ends); it then
   * appends to a copy, producing the bytes appending every sample at once would.
   * A Prometheus 2.x chunk is accepted and continued in the 3.x form (see `v2Padding`).
   */
  constructor(existing?: Uint8Array) {
    if (existing === undefined) {
      this.buf = new Uint8Array(128);
      this.bitLen = HEADER_BYTES * 8;
      this.n = 0;
      return;
    }
    const c = openCursor(existing);
    walk(c, -Infinity, Infinity, null, null);
    const used = (c.pos + 7) >>> 3;
    // Prometheus before 3.0 left a zero byte after a chunk whose bits end on a byte
    // boundary (its writeByte appended two bytes); that byte carries nothing.
    const v2Padding = used + 1 === existing.length && existing[used] === 0 && (c.pos & 7) === 0;
    if (used !== existing.length && !v2Padding) {
      const extra = existing.length - used;
      throw corrupt(`${extra} byte${extra === 1 ? "" : "s"} after the last of ${c.count} samples`);
    }
    this.buf = new Uint8Array(Math.max(128, used * 2));
    this.buf.set(existing.subarray(0, used));
    // Bits after the end must be zero: appending ORs into them.
    const spare = -c.pos & 7;
    if (spare !== 0) this.buf[used - 1]! &= (0xff << spare) & 0xff;
    this.bitLen = c.pos;
    this.n = c.count;
    this.first = c.firstT;
    this.t = c.t;
    this.tDelta = c.tDelta;
    this.tPrev = c.exact ? c.t - c.tDelta : c.tPrev;
    this.vhi = c.vhi;
    this.vlo = c.vlo;
    this.leading = c.leading;
    this.trailing = c.trailing;
  }

  get count(): number {
    return this.n;
  }

  get firstT(): number | undefined {
    return this.n === 0 ? undefined : this.first;
  }

  get lastT(): number | undefined {
    return this.n === 0 ? undefined : this.t;
  }

  /** The last sample's value, bits kept (into a Float64Array, for the staleness NaN). */
  lastValueInto(out: Float64Array, at: number): boolean {
    if (this.n === 0) return false;
    i32[HI] = this.vhi;
    i32[LO] = this.vlo;
    out[at] = f64[0]!;
    return true;
  }

  /** A copy: the appender keeps writing into its own buffer. */
  bytes(): Uint8Array {
    return this.buf.slice(0, (this.bitLen + 7) >>> 3);
  }

  /** `t` in milliseconds, a safe integer after the last one; `v` any float, bits kept. */
  append(t: number, v: number): void {
    if (!Number.isSafeInteger(t)) {
      throw new RangeError(`chunk timestamp ${t} is not a safe integer`);
    }
    const n = this.n;
    if (n > 0 && !(t > this.t)) {
      throw new RangeError(`sample at ${t} is not after the chunk's last sample at ${this.t}`);
    }
    if (n === MAX_CHUNK_SAMPLES) {
      throw new RangeError(`a chunk holds at most ${MAX_CHUNK_SAMPLES} samples: cut a new one`);
    }
    this.reserve();
    f64[0] = v;
    const hi = i32[HI]!;
    const lo = i32[LO]!;
    if (n === 0) {
      this.writeVarint(t);
      this.writeBits(hi, 32);
      this.writeBits(lo, 32);
      this.first = t;
    } else {
      const delta = t - this.t;
      if (n === 1) {
        if (delta <= MAX_SAFE) this.writeUvarint(delta);
        else this.writeUvarintBig(BigInt(t) - BigInt(this.t));
      } else if (delta <= MAX_SAFE && this.tDelta <= MAX_SAFE) {
        this.writeDod(delta - this.tDelta);
      } else {
        this.writeDodBig(BigInt(t) - 2n * BigInt(this.t) + BigInt(this.tPrev));
      }
      this.writeValue(hi, lo);
      this.tDelta = delta;
    }
    this.tPrev = this.t;
    this.t = t;
    this.vhi = hi;
    this.vlo = lo;
    this.n = n + 1;
    this.buf[0] = (n + 1) >>> 8;
    this.buf[1] = (n + 1) & 0xff;
  }

  private reserve(): void {
    const need = ((this.bitLen + 7) >>> 3) + MAX_SAMPLE_BYTES;
    if (need <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
    grown.set(this.buf);
    this.buf = grown;
  }

  // The low `n` (1 to 32) bits of `value`, most significant first.
  private writeBits(value: number, n: number): void {
    const buf = this.buf;
    let pos = this.bitLen;
    let left = n;
    while (left > 0) {
      const free = 8 - (pos & 7);
      const take = left < free ? left : free;
      left -= take;
      buf[pos >>> 3]! |= ((value >>> left) & ((1 << take) - 1)) << (free - take);
      pos += take;
    }
    this.bitLen = pos;
  }

  private writeVarint(t: number): void {
    // Zig-zag without forming 2|t|, which is not exact past 2^52.
    const negative = t < 0;
    const mag = negative ? -t - 1 : t;
    const low = ((mag % 64) << 1) | (negative ? 1 : 0);
    const rest = Math.floor(mag / 64);
    if (rest === 0) {
      this.writeBits(low, 8);
    } else {
      this.writeBits(low | 0x80, 8);
      this.writeUvarint(rest);
    }
  }

  private writeUvarint(x: number): void {
    while (x >= 0x80) {
      this.writeBits((x % 0x80) | 0x80, 8);
      x = Math.floor(x / 0x80);
    }
    this.writeBits(x, 8);
  }

  private writeUvarintBig(x: bigint): void {
    while (x >= 0x80n) {
      this.writeBits(Number(x & 0x7fn) | 0x80, 8);
      x >>= 7n;
    }
    this.writeBits(Number(x), 8);
  }

  private writeDod(dod: number): void {
    if (dod === 0) this.writeBits(0, 1);
    else if (dod >= -8191 && dod <= 8192) this.writeBits((0b10 << 14) | (dod & 0x3fff), 16);
    else if (dod >= -65535 && dod <= 65536) this.writeBits((0b110 << 17) | (dod & 0x1ffff), 20);
    else if (dod >= -524287 && dod <= 524288) this.writeBits((0b1110 << 20) | (dod & 0xfffff), 24);
    else {
      const hi = Math.floor(dod / TWO32);
      this.writeBits(0b1111, 4);
      this.writeBits(hi >>> 0, 32);
      this.writeBits(dod - hi * TWO32, 32);
    }
  }

  private writeDodBig(dod: bigint): void {
    if (dod <= BigInt(MAX_SAFE) && dod >= -BigInt(MAX_SAFE)) return this.writeDod(Number(dod));
    const bits = BigInt.asUintN(64, dod);
    this.writeBits(0b1111, 4);
    this.writeBits(Number(bits >> 32n), 32);
    this.writeBits(Number(bits & 0xffffffffn), 32);
  }

  private writeValue(hi: number, lo: number): void {
    const dhi = hi ^ this.vhi;
    const dlo = lo ^ this.vlo;
    if (dhi === 0 && dlo === 0) return this.writeBits(0, 1);
    let leading = dhi !== 0 ? Math.clz32(dhi) : 32 + Math.clz32(dlo);
    const trailing = dlo !== 0 ? ctz32(dlo) : 32 + ctz32(dhi);
    // 5 bits hold at most 31; the window then just starts a little early.
    if (leading > 31) leading = 31;
    if (this.leading !== UNSET && leading >= this.leading && trailing >= this.trailing) {
      this.writeBits(0b10, 2);
      return this.writeSignificant(dhi, dlo, this.leading, this.trailing);
    }
    this.leading = leading;
    this.trailing = trailing;
    // A width of 64 does not fit 6 bits; it is written as 0, which never occurs otherwise.
    this.writeBits((0b11 << 11) | (leading << 6) | ((64 - leading - trailing) & 63), 13);
    this.writeSignificant(dhi, dlo, leading, trailing);
  }

  private writeSignificant(dhi: number, dlo: number, leading: number, trailing: number): void {
    const width = 64 - leading - trailing;
    if (trailing >= 32) return this.writeBits(dhi >>> (trailing - 32), width);
    const lo = trailing === 0 ? dlo : (dlo >>> trailing) | (dhi << (32 - trailing));
    if (width <= 32) return this.writeBits(lo, width);
    this.writeBits(dhi >>> trailing, width - 32);
    this.writeBits(lo, 32);
  }
}

export interface DecodedChunk {
  /** Milliseconds, ascending. */
  t: Float64Array;
  /** Values with their exact bits (the staleness NaN included). */
  v: Float64Array;
}

/** Every sample of a chunk. */
export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  return decodeChunkRange(bytes, -Infinity, Infinity);
}

/**
 * The samples with `mint <= t <= maxt`. Samples before `mint` are still walked (each
 * one's bits depend on the one before), but decoding stops at the first after `maxt`.
 * The arrays may be views over larger buffers.
 */
export function decodeChunkRange(bytes: Uint8Array, mint: number, maxt: number): DecodedChunk {
  const c = openCursor(bytes);
  const n = c.count;
  // One buffer for both arrays: allocation is a good part of decoding a small chunk.
  const buffer = new ArrayBuffer(16 * n);
  const t = new Float64Array(buffer, 0, n);
  const v = new Float64Array(buffer, 8 * n, n);
  const written = walk(c, mint, maxt, t, new Int32Array(buffer, 8 * n, 2 * n));
  return written === n ? { t, v } : { t: t.subarray(0, written), v: v.subarray(0, written) };
}

/** Sample by sample, for callers that want tuples; it decodes the whole chunk first. */
export function* iterateChunk(bytes: Uint8Array): Generator<[number, number]> {
  const { t, v } = decodeChunk(bytes);
  for (let i = 0; i < t.length; i++) yield [t[i]!, v[i]!];
}

export interface ChunkStats {
  count: number;
  /** Undefined only for an empty chunk. */
  firstT: number | undefined;
  lastT: number | undefined;
}

/**
 * The count and first timestamp come from the first bytes; the last timestamp needs a
 * walk over every sample (the format has no index), about as costly as decodeChunk
 * without its two arrays.
 */
export function chunkStats(bytes: Uint8Array): ChunkStats {
  const c = openCursor(bytes);
  if (c.count === 0) return { count: 0, firstT: undefined, lastT: undefined };
  walk(c, -Infinity, Infinity, null, null);
  return { count: c.count, firstT: c.firstT, lastT: c.t };
}

/** The first sample's timestamp, read from the chunk's first bytes (undefined when empty). */
export function chunkFirstT(bytes: Uint8Array): number | undefined {
  const c = openCursor(bytes);
  if (c.count === 0) return undefined;
  readFirst(c);
  return c.firstT;
}
