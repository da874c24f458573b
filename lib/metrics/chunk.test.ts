import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ChunkAppender,
  chunkStats,
  decodeChunk,
  decodeChunkRange,
  iterateChunk,
  MAX_CHUNK_SAMPLES,
} from "./chunk";
import { isStaleNaN, STALE_NAN } from "./stale";

type Sample = [t: number, v: number];

// mulberry32: a fixed seed makes every randomized case reproducible.
function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

const view = new DataView(new ArrayBuffer(8));

function bitsOf(v: number): bigint {
  view.setFloat64(0, v);
  return view.getBigUint64(0);
}

function fromBits(bits: bigint): number {
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

// Values as bit patterns, so NaN payloads and -0 are compared exactly.
function valueBits(values: ArrayLike<number>): string[] {
  return Array.from(values, (v) => bitsOf(v).toString(16));
}

function encode(samples: Sample[]): Uint8Array {
  const a = new ChunkAppender();
  for (const [t, v] of samples) a.append(t, v);
  return a.bytes();
}

function expectRoundTrip(samples: Sample[]): Uint8Array {
  const bytes = encode(samples);
  const { t, v } = decodeChunk(bytes);
  expect(Array.from(t)).toEqual(samples.map((s) => s[0]));
  expect(valueBits(v)).toEqual(valueBits(samples.map((s) => s[1])));
  expect(hex(bytes)).toBe(hex(referenceChunk(samples)));
  return bytes;
}

// A second, deliberately plain encoder: BigInt for every 64-bit quantity and one array
// entry per bit, written from xor.go's description rather than from chunk.ts, so the
// fast encoder's 32-bit halves and number arithmetic are checked against it.
// `prometheus2` adds the zero byte Prometheus 2.x's bstream leaves when its last write
// was whole bytes from a byte boundary (writeBits writes whole bytes first, then bits).
function referenceChunk(samples: Sample[], { prometheus2 = false } = {}): Uint8Array {
  const bits: number[] = [];
  let endsOnAlignedBytes = false;
  const put = (u: bigint, n: number) => {
    endsOnAlignedBytes = n % 8 === 0 && bits.length % 8 === 0;
    for (let i = n - 1; i >= 0; i--) bits.push(Number((u >> BigInt(i)) & 1n));
  };
  const uvarint = (u: bigint) => {
    for (; u >= 0x80n; u >>= 7n) put((u & 0x7fn) | 0x80n, 8);
    put(u, 8);
  };
  const fits = (x: bigint, n: number) =>
    x >= -(2n ** BigInt(n - 1) - 1n) && x <= 2n ** BigInt(n - 1);
  let t = 0n;
  let delta = 0n;
  let v = 0n;
  let leading = 0xff;
  let trailing = 0;
  samples.forEach(([ts, value], i) => {
    const tb = BigInt(ts);
    const vb = bitsOf(value);
    if (i === 0) {
      uvarint(tb >= 0n ? tb * 2n : -tb * 2n - 1n);
      put(vb, 64);
    } else {
      const d = tb - t;
      if (i === 1) uvarint(d);
      else {
        const dod = d - delta;
        // [payload bits, prefix, prefix bits]; the last bucket takes whatever is left.
        const buckets: [number, bigint, number][] = [
          [14, 0b10n, 2],
          [17, 0b110n, 3],
          [20, 0b1110n, 4],
          [64, 0b1111n, 4],
        ];
        const [size, prefix, prefixBits] = buckets.find(([n]) => n === 64 || fits(dod, n))!;
        if (dod === 0n) put(0n, 1);
        else {
          put(prefix, prefixBits);
          put(BigInt.asUintN(size, dod), size);
        }
      }
      delta = d;
      const x = vb ^ v;
      if (x === 0n) put(0n, 1);
      else {
        put(1n, 1);
        let lead = 64 - x.toString(2).length;
        let trail = 0;
        while (((x >> BigInt(trail)) & 1n) === 0n) trail++;
        lead = Math.min(lead, 31);
        if (leading !== 0xff && lead >= leading && trail >= trailing) {
          put(0n, 1);
          put(x >> BigInt(trailing), 64 - leading - trailing);
        } else {
          [leading, trailing] = [lead, trail];
          const width = 64 - lead - trail;
          put(1n, 1);
          put(BigInt(lead), 5);
          put(BigInt(width % 64), 6);
          put(x >> BigInt(trail), width);
        }
      }
    }
    t = tb;
    v = vb;
  });
  const out = new Uint8Array(
    2 + Math.ceil(bits.length / 8) + (prometheus2 && endsOnAlignedBytes ? 1 : 0),
  );
  out[0] = samples.length >> 8;
  out[1] = samples.length & 0xff;
  bits.forEach((bit, i) => (out[2 + (i >> 3)]! |= bit << (7 - (i & 7))));
  return out;
}

// `n` bits of a chunk from bit `from` (header included), as a string of 0s and 1s.
function bitString(bytes: Uint8Array, from: number, n: number): string {
  let s = "";
  for (let i = from; i < from + n; i++) s += (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return s;
}

const SPECIAL_VALUES = [
  0,
  -0,
  1,
  -1,
  Infinity,
  -Infinity,
  NaN,
  STALE_NAN,
  fromBits(0x7ff8000000000001n), // Go's math.NaN(), what Prometheus parses "NaN" to
  fromBits(0xfff0000000000001n), // a negative signalling NaN
  fromBits(0x7fffffffffffffffn), // the largest NaN payload
  Number.MIN_VALUE, // the smallest subnormal
  fromBits(0x000fffffffffffffn), // the largest subnormal
  -Number.MIN_VALUE,
  2.2250738585072014e-308, // the smallest normal
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.EPSILON,
  0.1,
  1 / 3,
  1e300,
  -1e-300,
];

function randomBitsValue(rnd: () => number): number {
  return fromBits(
    (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32)),
  );
}

describe("XOR chunk format", () => {
  it("writes the bytes derived by hand from Prometheus's xor.go", () => {
    // 00 04              4 samples
    // d0 0f              varint(1000): zig-zag 2000 = 0b1111_1010000 -> 0xd0, 0x0f
    // 3f f0 00.. 00      1.0
    // 0f                 uvarint(15), the first delta
    // then bits: 0 (1.0 again) | 0 (dod 0) | 11 00001 001011 11111111111 (2.0: XOR
    // 0x7ff0000000000000, 1 leading zero, 11 significant bits) | 10 00000000000001
    // (dod 1) | 0 (2.0 again) | 00000 padding
    // = 00110000 10010111 11111111 11100000 00000000 01000000
    const bytes = encode([
      [1000, 1],
      [1015, 1],
      [1030, 2],
      [1046, 2],
    ]);
    expect(hex(bytes)).toBe("0004d00f3ff00000000000000f3097ffe00040");
  });

  it("writes the bytes Prometheus 2.42's promtool wrote for the same samples", () => {
    // From `promtool tsdb create-blocks-from openmetrics`, chunks/000001, for
    // a 1 @1700000000, 2 @1700000015.001, 2 @1700000029.999, -0.5 @1700000045.123,
    // 1e-310 @1700000060: a first delta over 7 bits, dods in the 14-bit bucket, a
    // reused window and a subnormal.
    const prometheus =
      "000580a0abfef9623ff00000000000009975c25fffbffd403f602fffdf84e002ff8049a22dc398ac";
    const samples: Sample[] = [
      [1700000000000, 1],
      [1700000015001, 2],
      [1700000029999, 2],
      [1700000045123, -0.5],
      [1700000060000, 1e-310],
    ];
    expect(hex(encode(samples))).toBe(prometheus);
    const { t, v } = decodeChunk(Buffer.from(prometheus, "hex"));
    expect(Array.from(t)).toEqual(samples.map((s) => s[0]));
    expect(Array.from(v)).toEqual(samples.map((s) => s[1]));
  });

  it("reads and continues a Prometheus 2.x chunk that carries a trailing zero byte", () => {
    // promtool 2.42 for `a 1 1700000000`: its bits end on a byte boundary, and 2.x's
    // writeByte left one more zero byte (Prometheus 3.0 stopped writing it).
    const v2 = Buffer.from("000180a0abfef9623ff000000000000000", "hex");
    expect(hex(encode([[1700000000000, 1]]))).toBe("000180a0abfef9623ff0000000000000");
    expect(Array.from(decodeChunk(v2).t)).toEqual([1700000000000]);
    expect(chunkStats(v2)).toEqual({ count: 1, firstT: 1700000000000, lastT: 1700000000000 });
    const resumed = new ChunkAppender(v2);
    resumed.append(1700000015000, 2);
    expect(hex(resumed.bytes())).toBe(
      hex(
        encode([
          [1700000000000, 1],
          [1700000015000, 2],
        ]),
      ),
    );
  });

  it("puts each delta-of-delta in Prometheus's bucket, edges included", () => {
    // After [0, 1.0] and [D, 1.0] the third sample's dod starts at bit 113: 16 header
    // + 8 varint(0) + 64 value + 24 uvarint(D) + 1 unchanged value. D is large enough for
    // every negative dod here to keep the timestamps increasing.
    const D = 1_000_000;
    const cases: [dod: number, prefix: string, size: number][] = [
      [0, "0", 0],
      [1, "10", 14],
      [-1, "10", 14],
      [8191, "10", 14],
      [8192, "10", 14],
      [-8191, "10", 14],
      [8193, "110", 17],
      [-8192, "110", 17],
      [65535, "110", 17],
      [65536, "110", 17],
      [-65535, "110", 17],
      [65537, "1110", 20],
      [-65536, "1110", 20],
      [524287, "1110", 20],
      [524288, "1110", 20],
      [-524287, "1110", 20],
      [524289, "1111", 64],
      [-524288, "1111", 64],
      [-999_999, "1111", 64],
      [2 ** 40 + 7, "1111", 64],
    ];
    for (const [dod, prefix, size] of cases) {
      const bytes = expectRoundTrip([
        [0, 1],
        [D, 1],
        [2 * D + dod, 1],
      ]);
      const payload =
        size === 0 ? "" : BigInt.asUintN(size, BigInt(dod)).toString(2).padStart(size, "0");
      expect(bitString(bytes, 113, prefix.length + size), `dod ${dod}`).toBe(prefix + payload);
    }
  });

  it("writes a 64-bit significant width as 0 in its 6 bits", () => {
    // The XOR of these two has its top and bottom bits set: no leading or trailing zeros.
    const bytes = expectRoundTrip([
      [0, fromBits(0x0000000000000001n)],
      [1, fromBits(0x8000000000000000n)],
    ]);
    // 16 header, 8 varint(0), 64 value, 8 uvarint(1): '1' '1' 00000 000000 then 64 bits.
    expect(bitString(bytes, 96, 13)).toBe("1100000000000");
  });

  it("caps the leading-zero count at 31, as 5 bits hold", () => {
    const bytes = expectRoundTrip([
      [0, fromBits(0n)],
      [1, fromBits(1n)],
    ]);
    // 63 leading zeros are written as 31, so the window is 33 bits wide.
    expect(bitString(bytes, 96, 13)).toBe("11" + "11111" + "100001");
  });
});

describe("ChunkAppender and decodeChunk", () => {
  it("keep every special value's exact bits, the staleness NaN included", () => {
    const samples = SPECIAL_VALUES.map((v, i): Sample => [1_700_000_000_000 + i * 15_000, v]);
    expectRoundTrip(samples);
    expectRoundTrip([...samples].reverse().map(([, v], i): Sample => [i, v]));
    // Every pair, both ways, so each value is XORed against each other one.
    const pairs: Sample[] = [];
    for (const a of SPECIAL_VALUES) for (const b of SPECIAL_VALUES) pairs.push([0, a], [0, b]);
    expectRoundTrip(pairs.map(([, v], i): Sample => [i * 1000, v]));
  });

  it("tell the last value appended, resumed or not, its bits kept", () => {
    const out = new Float64Array(1);
    const a = new ChunkAppender();
    expect(a.lastValueInto(out, 0)).toBe(false);
    a.append(1000, 2.5);
    a.append(2000, STALE_NAN);
    expect(a.lastValueInto(out, 0)).toBe(true);
    expect(isStaleNaN(out[0]!)).toBe(true);
    const resumed = new ChunkAppender(a.bytes());
    resumed.append(3000, -0);
    expect(resumed.lastValueInto(out, 0)).toBe(true);
    expect(Object.is(out[0], -0)).toBe(true);
  });

  it("keep random bit patterns (any NaN payload) exactly", () => {
    const rnd = prng(1);
    const samples = Array.from({ length: 2000 }, (_, i): Sample => [
      i * 15_000,
      randomBitsValue(rnd),
    ]);
    expectRoundTrip(samples);
  });

  it("handle one sample, two samples and the second value equal or not", () => {
    expectRoundTrip([[1_700_000_000_000, 42]]);
    expectRoundTrip([[0, STALE_NAN]]);
    expectRoundTrip([[-1, -0]]);
    expectRoundTrip([
      [5, 1],
      [6, 1],
    ]);
    expectRoundTrip([
      [-5, 1],
      [200_000_000_000, 2],
    ]);
    expectRoundTrip([
      [0, 0],
      [1, -0],
    ]);
    // Equal values first, so the first window is set only by the third value.
    expectRoundTrip([
      [0, 7],
      [10, 7],
      [20, 7.5],
      [30, 8],
    ]);
  });

  it("encode timestamps across the whole safe-integer range exactly", () => {
    const M = Number.MAX_SAFE_INTEGER;
    const cases: number[][] = [
      [-M],
      [M],
      [-M, M], // a first delta of 2^54 - 2
      [-M, M - 11, M - 5], // an odd delta past 2^53 (not a double), then a dod near -2^54
      [-M, 2, 5, 6, M], // a first delta of 2^53 + 1, then small dods after it
      [-M, -3, M - 1], // a safe delta, then a dod of 5 that makes it 2^53 + 1
      [-M, 1, M], // deltas 2^53 and 2^53 - 2: a dod of -2 after an inexact delta
      [-M, 0, M], // two deltas of 2^53 - 1: dod 0
      [-M, -M + 1, M], // a dod of 2^54 - 3
      [0, 1, 2 ** 52, 2 ** 52 + 1], // a jump of 2^52 and back
      [-(2 ** 52), 0, 1, 2, 2 ** 53 - 2, M],
      [-1, 0, 2 ** 31, 2 ** 32 + 5, 2 ** 33],
    ];
    for (const ts of cases) expectRoundTrip(ts.map((t, i): Sample => [t, i]));
  });

  it("refuse a chunk (from Prometheus) whose timestamps a JS number cannot hold exactly", () => {
    // The reference encoder takes any int64; these are exact doubles but unsafe integers.
    const big = 2 ** 60;
    for (const samples of [
      [[big, 1]],
      [[-big, 1]],
      [
        [0, 1],
        [big, 2],
      ],
      [
        [0, 1],
        [10, 1],
        [big, 1],
      ],
      // A dod of 2 after a delta of 2^52: the sum leaves the safe range.
      [
        [0, 1],
        [2 ** 52, 1],
        [2 ** 53 + 2, 1],
      ],
    ] as Sample[][]) {
      expect(() => decodeChunk(referenceChunk(samples))).toThrow(
        /^chunk timestamp -?\d+ is outside the safe integer range$/,
      );
    }
  });

  it("fill 120 samples of a jittered 15 s counter, and close at 65,535", () => {
    const rnd = prng(2);
    let v = 100;
    const counter = Array.from({ length: 120 }, (_, i): Sample => {
      v += Math.floor(rnd() * 10);
      return [1_700_000_000_000 + i * 15_000 + Math.round(rnd() * 10 - 5), v];
    });
    expectRoundTrip(counter);

    const a = new ChunkAppender();
    for (let i = 0; i < MAX_CHUNK_SAMPLES; i++) a.append(i * 1000, i % 7);
    const full = a.bytes();
    expect(hex(full.subarray(0, 2))).toBe("ffff");
    expect(() => a.append(MAX_CHUNK_SAMPLES * 1000, 0)).toThrow(
      "a chunk holds at most 65535 samples: cut a new one",
    );
    expect(hex(a.bytes())).toBe(hex(full));
    const { t, v: values } = decodeChunk(full);
    expect(t.length).toBe(MAX_CHUNK_SAMPLES);
    expect(t[MAX_CHUNK_SAMPLES - 1]).toBe((MAX_CHUNK_SAMPLES - 1) * 1000);
    expect(values[MAX_CHUNK_SAMPLES - 1]).toBe((MAX_CHUNK_SAMPLES - 1) % 7);
    expect(() => new ChunkAppender(full).append(MAX_CHUNK_SAMPLES * 1000, 0)).toThrow(
      "at most 65535",
    );
  });

  it("refuse a timestamp that is not after the last one or not a safe integer", () => {
    const a = new ChunkAppender();
    a.append(1000, 1);
    const before = hex(a.bytes());
    expect(() => a.append(1000, 2)).toThrow(
      "sample at 1000 is not after the chunk's last sample at 1000",
    );
    expect(() => a.append(999, 2)).toThrow("not after");
    expect(() => a.append(1000.5, 2)).toThrow("chunk timestamp 1000.5 is not a safe integer");
    expect(() => a.append(NaN, 2)).toThrow("not a safe integer");
    expect(() => a.append(2 ** 53, 2)).toThrow("not a safe integer");
    expect(hex(a.bytes())).toBe(before);
    expect(a.count).toBe(1);
  });

  it("report count, first and last timestamps", () => {
    const a = new ChunkAppender();
    expect([a.count, a.firstT, a.lastT]).toEqual([0, undefined, undefined]);
    expect(hex(a.bytes())).toBe("0000");
    expect(chunkStats(a.bytes())).toEqual({ count: 0, firstT: undefined, lastT: undefined });
    expect(decodeChunk(a.bytes()).t.length).toBe(0);
    a.append(-20, 1);
    a.append(40, 2);
    a.append(7000, 3);
    expect([a.count, a.firstT, a.lastT]).toEqual([3, -20, 7000]);
    expect(chunkStats(a.bytes())).toEqual({ count: 3, firstT: -20, lastT: 7000 });
  });

  it("match the reference encoder on randomized series (fixed seeds)", () => {
    for (let seed = 10; seed < 60; seed++) {
      const rnd = prng(seed);
      const n = 1 + Math.floor(rnd() * 300);
      let t = Math.floor((rnd() - 0.5) * 2 ** 44);
      let delta = 1 + Math.floor(rnd() * 60_000);
      let v = rnd() * 1000;
      const samples: Sample[] = [];
      for (let i = 0; i < n; i++) {
        const r = rnd();
        // Mostly regular scrapes with jitter, sometimes a jump of any size.
        if (r < 0.05) delta = 1 + Math.floor(rnd() * 2 ** (1 + rnd() * 40));
        const jitter = r < 0.5 ? 0 : Math.round((rnd() - 0.5) * 2 ** (rnd() * 22));
        t += Math.max(1, delta + jitter);
        const kind = rnd();
        if (kind < 0.3) v += Math.floor(rnd() * 100);
        else if (kind < 0.5) v = rnd() * 2 ** (rnd() * 200 - 100);
        else if (kind < 0.6) v = SPECIAL_VALUES[Math.floor(rnd() * SPECIAL_VALUES.length)]!;
        else if (kind < 0.7) v = randomBitsValue(rnd);
        samples.push([t, v]);
      }
      expectRoundTrip(samples);
    }
  });
});

describe("resuming a ChunkAppender from bytes", () => {
  it("continues byte for byte as if every sample had been appended at once", () => {
    const rnd = prng(3);
    const series: Sample[][] = [
      // The first window is set late: values stay equal for a while.
      [0, 15_000, 30_000, 45_000, 60_000, 75_000].map((t, i): Sample => [t, i < 4 ? 5 : i]),
      Array.from({ length: 150 }, (_, i): Sample => [
        1_700_000_000_000 + i * 15_000 + Math.round(rnd() * 10 - 5),
        i % 10 === 0 ? STALE_NAN : rnd() * 100,
      ]),
      // Deltas of 2^53 + 1 and 2^54 - 3, which no double holds.
      [-Number.MAX_SAFE_INTEGER, 2, 5, 6, Number.MAX_SAFE_INTEGER].map((t, i): Sample => [t, i]),
    ];
    for (const samples of series) {
      const whole = hex(encode(samples));
      for (let k = 0; k <= samples.length; k++) {
        const resumed = new ChunkAppender(encode(samples.slice(0, k)));
        expect(resumed.count).toBe(k);
        expect(resumed.firstT).toBe(k === 0 ? undefined : samples[0]![0]);
        expect(resumed.lastT).toBe(k === 0 ? undefined : samples[k - 1]![0]);
        for (const [t, v] of samples.slice(k)) resumed.append(t, v);
        expect(hex(resumed.bytes()), `resumed after ${k}`).toBe(whole);
      }
    }
  });

  it("continues a chunk whose first changed value reused an unset window", () => {
    // Prometheus's iterator starts its window at 0 leading and 0 trailing zeros, so an
    // appender it resumes after unchanged values writes '10' and all 64 bits for the
    // next change. Such a chunk must read, and resume, as Prometheus would.
    // Header 3 samples | varint(0) | 1.0 | uvarint(10) | 0 | 0 (dod) | 10 + 64 bits of
    // 1.0 ^ 2.0 = 0x7ff0000000000000 | padding.
    const bits = "0" + "0" + "10" + 0x7ff0000000000000n.toString(2).padStart(64, "0");
    const tail = bits.padEnd(Math.ceil(bits.length / 8) * 8, "0");
    const body = Array.from({ length: tail.length / 8 }, (_, i) =>
      parseInt(tail.slice(i * 8, i * 8 + 8), 2),
    );
    const bytes = Uint8Array.from([0, 3, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 10, ...body]);
    const { t, v } = decodeChunk(bytes);
    expect(Array.from(t)).toEqual([0, 10, 20]);
    expect(Array.from(v)).toEqual([1, 1, 2]);
    const a = new ChunkAppender(bytes);
    a.append(30, 4);
    expect(Array.from(decodeChunk(a.bytes()).v)).toEqual([1, 1, 2, 4]);
    // 4.0 ^ 2.0 = 0x0010000000000000 fits the 0/0 window: '10' and 64 bits again.
    expect(bitString(a.bytes(), 96 + 1 + (1 + 66) + 1, 2 + 64)).toBe(
      "10" + 0x0010000000000000n.toString(2).padStart(64, "0"),
    );
  });

  it("ignores whatever the bits after the last sample hold", () => {
    const samples: Sample[] = [
      [0, 1],
      [10, 3],
      [25, 4],
    ];
    // 121 bits: 96 up to the first delta, then 3.0 ^ 1.0 = 0x7ff8000000000000 as
    // '11' + 5 + 6 + 12 significant bits. The last byte has 7 spare bits.
    const bytes = encode(samples.slice(0, 2));
    expect(bytes.length).toBe(16);
    const dirty = Uint8Array.from(bytes);
    dirty[15]! |= 0x7f;
    expect(dirty[15]).not.toBe(bytes[15]);
    expect(Array.from(decodeChunk(dirty).v)).toEqual([1, 3]);
    const resumed = new ChunkAppender(dirty);
    resumed.append(25, 4);
    expect(hex(resumed.bytes())).toBe(hex(encode(samples)));
  });

  it("refuses bytes that end early or carry bytes after the last sample", () => {
    const bytes = encode(
      Array.from({ length: 20 }, (_, i): Sample => [i * 15_000 + (i % 3), i * 1.5]),
    );
    expect(() => new ChunkAppender(bytes.subarray(0, bytes.length - 1))).toThrow(
      /^corrupt XOR chunk: sample 1\d runs past the end$/,
    );
    expect(() => decodeChunk(bytes.subarray(0, 12))).toThrow("runs past the end");
    expect(() => new ChunkAppender(Uint8Array.from([...bytes, 0]))).toThrow(
      "corrupt XOR chunk: 1 byte after the last of 20 samples",
    );
    expect(() => decodeChunk(new Uint8Array(1))).toThrow("shorter than a header");
  });
});

describe("reading part of a chunk", () => {
  const samples = Array.from({ length: 120 }, (_, i): Sample => [i * 15_000, i]);
  const bytes = encode(samples);

  it("decodes only the samples within [mint, maxt]", () => {
    const { t, v } = decodeChunkRange(bytes, 30_000, 60_000);
    expect(Array.from(t)).toEqual([30_000, 45_000, 60_000]);
    expect(Array.from(v)).toEqual([2, 3, 4]);
    expect(decodeChunkRange(bytes, 1, 14_999).t.length).toBe(0);
    expect(decodeChunkRange(bytes, -Infinity, Infinity).t.length).toBe(120);
  });

  it("stops at the first sample after maxt, so later bits are never read", () => {
    // Cut the chunk after a few samples: a full decode fails, a range before the cut does not.
    const cut = bytes.subarray(0, 40);
    expect(() => decodeChunk(cut)).toThrow("runs past the end");
    expect(Array.from(decodeChunkRange(cut, 15_000, 30_000).t)).toEqual([15_000, 30_000]);
  });

  it("iterates the same samples as decodeChunk, bits included", () => {
    const mixed = SPECIAL_VALUES.map((v, i): Sample => [i, v]);
    const got = [...iterateChunk(encode(mixed))];
    expect(got.map((s) => s[0])).toEqual(mixed.map((s) => s[0]));
    expect(valueBits(got.map((s) => s[1]))).toEqual(valueBits(mixed.map((s) => s[1])));
  });
});

// The reference itself: the same samples go through Prometheus's own TSDB (promtool
// builds blocks from OpenMetrics text), and every chunk it writes must decode to those
// samples and re-encode to its exact bytes.
const PROMTOOL = "/usr/bin/promtool";

describe.skipIf(!fs.existsSync(PROMTOOL))("against Prometheus's chunks (promtool)", () => {
  it("decodes every chunk Prometheus writes and re-encodes it byte for byte", () => {
    const rnd = prng(4);
    const start = 1_700_006_400_000; // a 2 h block boundary
    const series = new Map<string, Sample[]>();
    const add = (name: string, gen: (i: number) => Sample | undefined, n: number) => {
      const out: Sample[] = [];
      for (let i = 0; i < n; i++) {
        const s = gen(i);
        if (s) out.push(s);
      }
      series.set(name, out);
    };
    let counter = 0;
    add(
      "a_counter",
      (i) => [start + i * 15_000 + Math.round(rnd() * 10 - 5), (counter += Math.floor(rnd() * 50))],
      2000,
    );
    add(
      "b_gauge",
      (i) => [start + i * 15_000 + Math.round(rnd() * 10 - 5), (rnd() - 0.5) * 1e6],
      2000,
    );
    add("c_constant", (i) => [start + i * 15_000, 42], 2000);
    const finite = SPECIAL_VALUES.filter((v) => !Number.isNaN(v));
    add(
      "d_values",
      (i) => {
        const r = rnd();
        const v = r < 0.3 ? finite[i % finite.length]! : r < 0.6 ? randomBitsValue(rnd) : rnd();
        return Number.isNaN(v) ? undefined : [start + i * 10_000, v];
      },
      2000,
    );
    // Deltas of 10 min, with dods at every bucket edge, each followed by its negation.
    const edges = [1, 8191, 8192, 8193, 65535, 65536, 65537, 524287, 524288, 524289, 1_500_000];
    let t = start;
    let delta = 600_000;
    const edgeSamples: Sample[] = [];
    for (let round = 0; round < 3; round++) {
      for (const e of edges) {
        for (const dod of [e, -e, 0]) {
          delta += dod;
          t += delta;
          edgeSamples.push([t, round]);
        }
      }
    }
    series.set("e_dod_edges", edgeSamples);
    series.set("f_nan", [
      [start, NaN],
      [start + 1000, 1],
      [start + 2000, NaN],
    ]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-chunk-"));
    try {
      // Prometheus reads OpenMetrics seconds as int64(seconds * 1000), which the same
      // IEEE multiply here reproduces; "NaN" becomes Go's math.NaN().
      const expected = new Map<string, Sample[]>();
      let text = "";
      for (const [name, samples] of series) {
        text += `# TYPE ${name} gauge\n`;
        const parsed: Sample[] = [];
        for (const [ts, v] of samples) {
          const secs = `${Math.floor(ts / 1000)}.${String(ts % 1000).padStart(3, "0")}`;
          const pt = Math.trunc(Number(secs) * 1000);
          if (parsed.length > 0 && pt <= parsed[parsed.length - 1]![0]) continue;
          text += `${name} ${openMetricsValue(v)} ${secs}\n`;
          parsed.push([pt, Number.isNaN(v) ? fromBits(0x7ff8000000000001n) : v]);
        }
        expected.set(name, parsed);
      }
      fs.writeFileSync(path.join(dir, "in.om"), text + "# EOF\n");
      execFileSync(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", "-q", "in.om", "out"], {
        cwd: dir,
      });

      const blockMs = 2 * 3600 * 1000;
      const blocks = fs
        .readdirSync(path.join(dir, "out"))
        .filter((d) => fs.existsSync(path.join(dir, "out", d, "meta.json")))
        .map((d) => {
          const meta = JSON.parse(fs.readFileSync(path.join(dir, "out", d, "meta.json"), "utf8"));
          return { dir: path.join(dir, "out", d), window: Math.floor(meta.minTime / blockMs) };
        })
        .sort((a, b) => a.window - b.window);
      expect(blocks.length).toBeGreaterThan(3);

      let chunks = 0;
      let padded = 0;
      for (const block of blocks) {
        // Within a block, chunks are written series by series in label order.
        const want: Sample[] = [];
        for (const name of [...expected.keys()].sort()) {
          for (const s of expected.get(name)!)
            if (Math.floor(s[0] / blockMs) === block.window) want.push(s);
        }
        const got: Sample[] = [];
        for (const file of fs.readdirSync(path.join(block.dir, "chunks")).sort()) {
          for (const chunk of segmentChunks(
            fs.readFileSync(path.join(block.dir, "chunks", file)),
          )) {
            const { t, v } = decodeChunk(chunk);
            const samples = Array.from(t, (ts, i): Sample => [ts, v[i]!]);
            expect(hex(chunk)).toBe(hex(referenceChunk(samples, { prometheus2: true })));
            const ours = encode(samples);
            expect(hex(ours)).toBe(hex(referenceChunk(samples)));
            if (ours.length < chunk.length) padded++;
            expect(hex(new ChunkAppender(chunk).bytes())).toBe(hex(ours));
            got.push(...samples);
            chunks++;
          }
        }
        expect(got.map((s) => s[0])).toEqual(want.map((s) => s[0]));
        expect(valueBits(got.map((s) => s[1]))).toEqual(valueBits(want.map((s) => s[1])));
      }
      expect(chunks).toBeGreaterThan(60);
      // Some chunks must have ended on a byte boundary, or the 2.x padding went untested.
      expect(padded).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function openMetricsValue(v: number): string {
  if (Object.is(v, -0)) return "-0";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

// A chunk segment file: an 8-byte header, then per chunk a uvarint length, an encoding
// byte (1 is XOR), the chunk and a CRC32.
function segmentChunks(file: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 8;
  while (p < file.length) {
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = file[p++]!;
      len += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    expect(file[p++]).toBe(1);
    out.push(new Uint8Array(file.subarray(p, p + len)));
    p += len + 4;
  }
  return out;
}
