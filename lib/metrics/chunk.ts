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
// Where a float64's high and low 32 bits sit in a Uint32Array over its bytes.
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

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

// Walks a chunk sample by sample. Every reader of the format (decoders, stats, the
// appender resuming) goes through this one class so they cannot disagree.
class XorReader {
  readonly count: number;
  private readonly b: Uint8Array;
  private readonly endBit: number;
  private readonly lastWord: number;
  pos = HEADER_BYTES * 8;
  read = 0;
  t = 0;
  tDelta = 0;
  // tDelta is exact while it is a safe integer; past that the previous timestamp
  // (always safe) recovers it exactly.
  exact = true;
  tPrev = 0;
  vhi = 0;
  vlo = 0;
  leading = UNSET;
  trailing = 0;

  constructor(bytes: Uint8Array) {
    if (bytes.length < HEADER_BYTES) throw corrupt(`${bytes.length} bytes, shorter than a header`);
    this.count = (bytes[0]! << 8) | bytes[1]!;
    this.b = bytes;
    this.endBit = bytes.length * 8;
    this.lastWord = bytes.length - 5;
  }

  next(): boolean {
    const n = this.read;
    if (n === this.count) return false;
    if (n === 0) {
      this.t = this.readVarint();
      this.vhi = this.readBits(32);
      this.vlo = this.readBits(32);
    } else if (n === 1) {
      this.readFirstDelta();
      this.readValue();
    } else {
      if (this.readBit() === 0) this.step(0);
      else this.readDod();
      this.readValue();
    }
    if (this.pos > this.endBit) throw corrupt(`sample ${n} runs past the end`);
    this.read = n + 1;
    return true;
  }

  /** Bits used so far, header included. */
  get bitLength(): number {
    return this.pos;
  }

  private readBit(): number {
    const p = this.pos++;
    return (this.byteAt(p >>> 3) >>> (7 - (p & 7))) & 1;
  }

  // Past the end reads zeros (a truncated chunk is caught at the end of the sample)
  // without indexing outside the array, which V8 makes slow.
  private byteAt(i: number): number {
    return i < this.b.length ? this.b[i]! : 0;
  }

  // 1 to 32 bits, as an unsigned number.
  private readBits(n: number): number {
    const p = this.pos;
    const b = this.b;
    const i = p >>> 3;
    const s = p & 7;
    let w: number;
    if (i <= this.lastWord) {
      w = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
      if (s !== 0) w = (w << s) | (b[i + 4]! >>> (8 - s));
    } else {
      w =
        (this.byteAt(i) << 24) |
        (this.byteAt(i + 1) << 16) |
        (this.byteAt(i + 2) << 8) |
        this.byteAt(i + 3);
      if (s !== 0) w = (w << s) | (this.byteAt(i + 4) >>> (8 - s));
    }
    this.pos = p + n;
    return w >>> (32 - n);
  }

  // Varints are only ever written byte-aligned, but read through readBits so a chunk
  // that breaks that is still read as Prometheus reads it.
  private readVarint(): number {
    const first = this.readBits(8);
    // Zig-zag: the low bit is the sign, the rest is the magnitude (minus one if
    // negative). Rebuilding the magnitude directly keeps it exact up to 2^53.
    let mag = (first & 0x7f) >>> 1;
    let more = first & 0x80;
    let scale = 64;
    for (let i = 1; more !== 0; i++) {
      if (i === 10) throw corrupt("varint longer than 10 bytes");
      const byte = this.readBits(8);
      mag += (byte & 0x7f) * scale;
      scale *= 128;
      more = byte & 0x80;
    }
    return checkTimestamp((first & 1) === 0 ? mag : -mag - 1);
  }

  private readFirstDelta(): void {
    let delta = 0;
    let scale = 1;
    const bytes: number[] = [];
    for (let more = 0x80; more !== 0;) {
      if (bytes.length === 10) throw corrupt("uvarint longer than 10 bytes");
      const byte = this.readBits(8);
      bytes.push(byte);
      delta += (byte & 0x7f) * scale;
      scale *= 128;
      more = byte & 0x80;
    }
    this.tPrev = this.t;
    if (delta <= MAX_SAFE) {
      this.tDelta = delta;
      this.t = checkTimestamp(this.t + delta);
      return;
    }
    let big = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) big = (big << 7n) | BigInt(bytes[i]! & 0x7f);
    // Prometheus adds int64(tDelta): a delta of 2^63 or more wraps to a negative one.
    this.setExact(BigInt(this.t), BigInt.asIntN(64, big));
  }

  private readDod(): void {
    let size: number;
    if (this.readBit() === 0) size = 14;
    else if (this.readBit() === 0) size = 17;
    else if (this.readBit() === 0) size = 20;
    else return this.readDod64();
    let dod = this.readBits(size);
    // Two's complement over `size` bits, with the range shifted up by one
    // (-(2^(size-1)-1) .. 2^(size-1)), as Prometheus's bitRange has it.
    if (dod > 2 ** (size - 1)) dod -= 2 ** size;
    this.step(dod);
  }

  private readDod64(): void {
    const hi = this.readBits(32) | 0;
    const lo = this.readBits(32);
    // Within ±2^53 a number holds the dod exactly, and step() keeps its sums exact.
    if (hi >= -0x200000 && hi < 0x200000) return this.step(hi * TWO32 + lo);
    this.stepExact(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
  }

  private step(dod: number): void {
    if (this.exact) {
      const delta = this.tDelta + dod;
      if (delta <= MAX_SAFE && delta >= -MAX_SAFE) {
        this.tDelta = delta;
        this.t = checkTimestamp(this.t + delta);
        return;
      }
    }
    this.stepExact(BigInt(dod));
  }

  private stepExact(dod: bigint): void {
    const t = BigInt(this.t);
    const previous = this.exact ? BigInt(this.tDelta) : t - BigInt(this.tPrev);
    this.tPrev = this.t;
    this.setExact(t, previous + dod);
  }

  private setExact(t: bigint, delta: bigint): void {
    const next = t + delta;
    if (next > BigInt(MAX_SAFE) || next < -BigInt(MAX_SAFE)) {
      throw new RangeError(`chunk timestamp ${next} is outside the safe integer range`);
    }
    this.t = Number(next);
    this.tDelta = Number(delta);
    this.exact = delta <= BigInt(MAX_SAFE) && delta >= -BigInt(MAX_SAFE);
  }

  private readValue(): void {
    if (this.readBit() === 0) return;
    let leading: number;
    let trailing: number;
    let width: number;
    if (this.readBit() === 0) {
      // A window reused before any was set: Prometheus's iterator starts at 0/0, and an
      // appender it resumed writes exactly that.
      if (this.leading === UNSET) {
        this.leading = 0;
        this.trailing = 0;
      }
      leading = this.leading;
      trailing = this.trailing;
      width = 64 - leading - trailing;
    } else {
      leading = this.readBits(5);
      width = this.readBits(6) || 64;
      trailing = 64 - leading - width;
      if (trailing < 0) throw corrupt(`${leading} leading zeros and ${width} significant bits`);
      this.leading = leading;
      this.trailing = trailing;
    }
    let dhi: number;
    let dlo: number;
    if (width <= 32) {
      const s = this.readBits(width);
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
      const sh = this.readBits(width - 32);
      const sl = this.readBits(32);
      if (trailing === 0) {
        dhi = sh;
        dlo = sl;
      } else {
        dhi = (sh << trailing) | (sl >>> (32 - trailing));
        dlo = sl << trailing;
      }
    }
    this.vhi = (this.vhi ^ dhi) >>> 0;
    this.vlo = (this.vlo ^ dlo) >>> 0;
  }
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
    const r = new XorReader(existing);
    if (r.next()) this.first = r.t;
    while (r.next());
    const used = (r.bitLength + 7) >>> 3;
    // Prometheus before 3.0 left a zero byte after a chunk whose bits end on a byte
    // boundary (its writeByte appended two bytes); that byte carries nothing.
    const v2Padding =
      used + 1 === existing.length && existing[used] === 0 && (r.bitLength & 7) === 0;
    if (used !== existing.length && !v2Padding) {
      const extra = existing.length - used;
      throw corrupt(`${extra} byte${extra === 1 ? "" : "s"} after the last of ${r.count} samples`);
    }
    this.buf = new Uint8Array(Math.max(128, used * 2));
    this.buf.set(existing.subarray(0, used));
    // Bits after the end must be zero: appending ORs into them.
    const spare = -r.bitLength & 7;
    if (spare !== 0) this.buf[used - 1]! &= (0xff << spare) & 0xff;
    this.bitLen = r.bitLength;
    this.n = r.count;
    this.t = r.t;
    this.tDelta = r.tDelta;
    this.tPrev = r.exact ? r.t - r.tDelta : r.tPrev;
    this.vhi = r.vhi;
    this.vlo = r.vlo;
    this.leading = r.leading;
    this.trailing = r.trailing;
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
    const hi = u32[HI]!;
    const lo = u32[LO]!;
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
  const r = new XorReader(bytes);
  // One buffer for both arrays: allocation is a good part of decoding a small chunk.
  const buffer = new ArrayBuffer(16 * r.count);
  const t = new Float64Array(buffer, 0, r.count);
  const v = new Float64Array(buffer, 8 * r.count, r.count);
  const bits = new Uint32Array(buffer, 8 * r.count, 2 * r.count);
  let i = 0;
  while (r.next()) {
    const ts = r.t;
    if (ts < mint) continue;
    if (ts > maxt) break;
    t[i] = ts;
    bits[2 * i + HI] = r.vhi;
    bits[2 * i + LO] = r.vlo;
    i++;
  }
  return i === r.count ? { t, v } : { t: t.subarray(0, i), v: v.subarray(0, i) };
}

/** Sample by sample, for callers that stop early; decodeChunk is faster for whole chunks. */
export function* iterateChunk(bytes: Uint8Array): Generator<[number, number]> {
  const r = new XorReader(bytes);
  const bits = new Uint32Array(2);
  const value = new Float64Array(bits.buffer);
  while (r.next()) {
    bits[HI] = r.vhi;
    bits[LO] = r.vlo;
    yield [r.t, value[0]!];
  }
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
  const r = new XorReader(bytes);
  if (!r.next()) return { count: 0, firstT: undefined, lastT: undefined };
  const firstT = r.t;
  while (r.next());
  return { count: r.count, firstT, lastT: r.t };
}
