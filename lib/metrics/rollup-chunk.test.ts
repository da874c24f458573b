import { describe, expect, it } from "vitest";
import {
  decodeRollup,
  decodeRollupField,
  newCarry,
  RollupAppender,
  rollupPoints,
  rollupSamples,
  type RollupPoint,
} from "./rollup-chunk";
import { isStaleNaN, STALE_NAN } from "./stale";

const M5 = 300_000;
const T0 = 1_764_000_000_000; // a multiple of 5 minutes and of an hour

function live(
  t: number,
  count: number,
  sum: number,
  min: number,
  max: number,
  last: number,
  counter: number,
): RollupPoint {
  return { t, stale: false, count, sum, min, max, last, counter };
}

describe("rollup points", () => {
  it("aggregate each 5-minute bucket: count, sum, min, max, last, and a counter through resets", () => {
    const t = [T0, T0 + 60_000, T0 + 299_999, T0 + M5, T0 + M5 + 1000, T0 + 3 * M5 + 5];
    const v = [10, 4, 7, 2, 9, 1];
    const points = rollupSamples(t, v, M5, newCarry());
    expect(points).toEqual([
      // 10 -> 4 is a reset (+10), 4 -> 7 rises by 3: counter 7 + 10.
      live(T0 + 299_999, 3, 21, 4, 10, 7, 17),
      // 7 -> 2 across the bucket edge is a reset too (+7).
      live(T0 + M5 + 1000, 2, 11, 2, 9, 9, 26),
      // An empty bucket has no point; 9 -> 1 resets again (+9).
      live(T0 + 3 * M5 + 5, 1, 1, 1, 1, 1, 27),
    ]);
  });

  it("read a counter that never reset as its raw values", () => {
    const t = Array.from({ length: 40 }, (_, i) => T0 + i * 15_000);
    const v = t.map((_, i) => 1e6 + i * 0.1);
    const points = rollupSamples(t, v, M5, newCarry());
    expect(points.map((p) => (p.stale ? NaN : p.counter))).toEqual([v[19], v[39]]);
  });

  it("leave NaNs out, and end a series with a staleness point where it went stale", () => {
    const t = [T0, T0 + 1000, T0 + 2000, T0 + M5, T0 + M5 + 1000, T0 + 2 * M5];
    // A Float64Array: a plain array may quiet the staleness NaN.
    const v = Float64Array.of(1, NaN, STALE_NAN, NaN, STALE_NAN, 5);
    const carry = newCarry();
    const points = rollupSamples(t, v, M5, carry);
    expect(points).toEqual([
      live(T0, 1, 1, 1, 1, 1, 1),
      { t: T0 + 2000, stale: true },
      // The second bucket has no sample and the series has already ended: nothing.
      live(T0 + 2 * M5, 1, 5, 5, 5, 5, 5),
    ]);
    expect(carry).toEqual({ last: 5, offset: 0, ended: false });
    // A staleness marker first of all is nothing to end.
    expect(rollupSamples([T0], Float64Array.of(STALE_NAN), M5, newCarry())).toEqual([]);
  });

  it("roll 5-minute points into hours, the staleness point kept where the hour ends stale", () => {
    const a = new RollupAppender();
    const fives = [
      live(T0 + 299_000, 20, 40, 1, 3, 2, 102),
      live(T0 + 599_000, 20, 60, 0.5, 4, 3, 103),
      { t: T0 + 600_000, stale: true } as const,
      live(T0 + 3_899_000, 5, 5, 1, 1, 1, 104),
    ];
    for (const p of fives) a.append(p);
    const points = rollupPoints(decodeRollup(a.bytes()), 3_600_000, newCarry());
    expect(points).toEqual([
      live(T0 + 599_000, 40, 100, 0.5, 4, 3, 103),
      { t: T0 + 600_000, stale: true },
      live(T0 + 3_899_000, 5, 5, 1, 1, 1, 104),
    ]);
  });
});

describe("the rollup blob", () => {
  it("keeps every field of every point, bit for bit, the staleness marker included", () => {
    const a = new RollupAppender();
    a.append(live(T0, 3, -0, -1.5, 2.25, 1e300, 7));
    a.append({ t: T0 + M5, stale: true });
    a.append(live(T0 + 2 * M5, 1, Infinity, -Infinity, Infinity, 0.1, 8));
    const d = decodeRollup(a.bytes());
    expect(Array.from(d.t)).toEqual([T0, T0 + M5, T0 + 2 * M5]);
    expect(Object.is(d.sum[0], -0)).toBe(true);
    expect([d.count[0], d.min[0], d.max[0], d.last[0], d.counter[0]]).toEqual([
      3, -1.5, 2.25, 1e300, 7,
    ]);
    for (const f of [d.count, d.sum, d.min, d.max, d.last, d.counter])
      expect(isStaleNaN(f[1]!)).toBe(true);
    expect([d.sum[2], d.min[2], d.last[2], d.counter[2]]).toEqual([Infinity, -Infinity, 0.1, 8]);
    expect(Array.from(decodeRollupField(a.bytes(), "max", T0 + 1, Infinity).v).slice(1)).toEqual([
      Infinity,
    ]);
  });

  it("is the same bytes appended in one go or resumed point by point", () => {
    const points = Array.from({ length: 50 }, (_, i) =>
      live(T0 + i * M5 + 285_000, 20, i * 3.5, i - 1, i + 1, i * 1.25, 1e9 + i * 20),
    );
    const once = new RollupAppender();
    for (const p of points) once.append(p);
    let bytes = new RollupAppender().bytes();
    for (const p of points) {
      const resumed = new RollupAppender(bytes);
      resumed.append(p);
      bytes = resumed.bytes();
    }
    expect(bytes).toEqual(once.bytes());
    expect(new RollupAppender(bytes).count).toBe(50);
  });

  it("refuses a blob it cannot read instead of decoding garbage", () => {
    const good = new RollupAppender();
    good.append(live(T0, 1, 1, 1, 1, 1, 1));
    const bytes = good.bytes();
    expect(() => decodeRollupField(Uint8Array.of(9, ...bytes.subarray(1)), "sum")).toThrow(
      /unknown format 9/,
    );
    expect(() => decodeRollupField(bytes.subarray(0, bytes.length - 3), "counter")).toThrow(
      /corrupt/,
    );
  });
});
