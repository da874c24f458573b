import { describe, expect, it } from "vitest";
import { addHistograms, BUCKETS, bucketIndex, emptyHistogram, quantile } from "./histogram";

function histOf(values: number[]) {
  const h = emptyHistogram();
  for (const v of values) h[bucketIndex(v)]!++;
  return h;
}

describe("latency histogram", () => {
  it("puts observations in the bucket whose upper bound is the first not below them", () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(10)).toBe(0);
    expect(bucketIndex(11)).toBe(1);
    expect(bucketIndex(500)).toBe(9);
    expect(bucketIndex(501)).toBe(10);
    expect(bucketIndex(60_000)).toBe(BUCKETS - 2);
    expect(bucketIndex(10_000_000)).toBe(BUCKETS - 1);
  });

  it("interpolates quantiles inside a bucket like histogram_quantile", () => {
    // 100 observations in (100, 150]: p50 is halfway through the bucket.
    const h = emptyHistogram();
    h[bucketIndex(120)] = 100;
    expect(quantile(h, 0.5)).toBe(125);
    expect(quantile(h, 1)).toBe(150);
  });

  it("clamps to the observed range and bounds the open last bucket", () => {
    const h = histOf([70_000, 80_000]);
    expect(quantile(h, 0.99, { min: 70_000, max: 80_000 })).toBeLessThanOrEqual(80_000);
    expect(quantile(histOf([42]), 0.5, { min: 42, max: 42 })).toBe(42);
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
  });

  it("merging histograms gives the same percentiles as one histogram of all observations", () => {
    const a = Array.from({ length: 500 }, (_, i) => 20 + (i % 90));
    const b = Array.from({ length: 300 }, (_, i) => 400 + i * 3);
    const merged = addHistograms(histOf(a), histOf(b));
    const whole = histOf([...a, ...b]);
    expect(merged).toEqual(whole);
    for (const q of [0.5, 0.95, 0.99]) expect(quantile(merged, q)).toBe(quantile(whole, q));
  });

  it("estimates true percentiles within one bucket's width", () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 50 + ((i * 7919) % 950));
    const sorted = [...values].sort((x, y) => x - y);
    const est = quantile(histOf(values), 0.95, { min: sorted[0], max: sorted.at(-1) })!;
    const truth = sorted[Math.ceil(0.95 * sorted.length) - 1]!;
    // p95 ≈ 952 lies in (750, 1000]: the estimate must fall in the same bucket.
    expect(bucketIndex(est)).toBe(bucketIndex(truth));
  });
});
