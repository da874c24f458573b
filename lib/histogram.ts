/**
 * Fixed-bucket latency histograms. Every rollup row stores counts per bucket, so
 * histograms from any number of rows merge by adding them, and percentiles over any
 * range are computed from the sum, like Prometheus' histogram_quantile.
 */
export const BUCKET_BOUNDS_MS = [
  10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000,
  60000,
] as const;
export const BUCKETS = BUCKET_BOUNDS_MS.length + 1;

export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(BUCKETS).fill(0);
}

/** Index of the bucket an observation falls in (upper bounds are inclusive, like Prometheus' `le`). */
export function bucketIndex(ms: number): number {
  let lo = 0;
  let hi: number = BUCKET_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= BUCKET_BOUNDS_MS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function addHistograms(into: Histogram, from: readonly number[]): Histogram {
  for (let i = 0; i < BUCKETS; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
  return into;
}

/**
 * The q-quantile (0..1) of a histogram: find the bucket holding rank q × total and
 * interpolate linearly inside it. The result is clamped to the observed min and max
 * when known, which also bounds the open-ended last bucket. Null when empty.
 */
export function quantile(
  hist: readonly number[],
  q: number,
  observed?: { min?: number | null; max?: number | null },
): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const count = hist[i] ?? 0;
    if (count > 0 && cumulative + count >= rank) {
      const lower = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!;
      const upper = i < BUCKET_BOUNDS_MS.length ? BUCKET_BOUNDS_MS[i]! : (observed?.max ?? lower);
      const value = lower + (upper - lower) * ((rank - cumulative) / count);
      return clamp(value, observed?.min ?? null, observed?.max ?? null);
    }
    cumulative += count;
  }
  return clamp(BUCKET_BOUNDS_MS.at(-1)!, observed?.min ?? null, observed?.max ?? null);
}

function clamp(v: number, min: number | null, max: number | null): number {
  if (min !== null && v < min) return min;
  if (max !== null && v > max) return max;
  return v;
}
