import { describe, expect, it } from "vitest";
import { windowUptime, type DownPeriod } from "./uptime";
import { mulberry32 } from "./seeded-random";

/** Counts every unit instant of the window one by one: slow, obviously right. */
function reference(down: DownPeriod[], w: { from: number; to: number }, first: number | null) {
  if (first === null || first >= w.to) return null;
  const start = Math.max(w.from, first);
  if (start >= w.to) return null;
  let downUnits = 0;
  for (let t = start; t < w.to; t++) {
    if (down.some((p) => t >= p.from && t < (p.to ?? w.to))) downUnits++;
  }
  return 1 - downUnits / (w.to - start);
}

describe("windowUptime", () => {
  it("equals counting instant by instant, for periods in any order, overlapping, open or outside the window", () => {
    const random = mulberry32(5);
    for (let n = 0; n < 400; n++) {
      const down: DownPeriod[] = Array.from({ length: Math.floor(random() * 6) }, () => {
        const from = Math.floor(random() * 1000) - 100;
        return { from, to: random() < 0.15 ? null : from + Math.floor(random() * 200) };
      });
      const from = Math.floor(random() * 500);
      const w = { from, to: from + 1 + Math.floor(random() * 500) };
      const first = random() < 0.1 ? null : Math.floor(random() * 700) - 100;
      const got = windowUptime(down, w, first).ratio;
      const want = reference(down, w, first);
      if (want === null) expect(got, JSON.stringify({ down, w, first })).toBeNull();
      else expect(got, JSON.stringify({ down, w, first })).toBeCloseTo(want, 12);
      // The same periods sorted give the same figure (the fast path).
      const sorted = [...down].sort((a, b) => a.from - b.from);
      expect(windowUptime(sorted, w, first).ratio).toBe(got);
    }
  });

  it("counts from the first check when the history is shorter than the window, and says so", () => {
    expect(windowUptime([], { from: 0, to: 100 }, 40)).toEqual({ ratio: 1, since: 40 });
    expect(windowUptime([{ from: 50, to: 70 }], { from: 0, to: 100 }, 40)).toEqual({
      ratio: 1 - 20 / 60,
      since: 40,
    });
    expect(windowUptime([], { from: 0, to: 100 }, 100)).toEqual({ ratio: null, since: null });
  });
});
