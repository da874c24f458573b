/** Share of counted checks that were up or degraded; maintenance is not counted. Null with no checks. */
export function uptimeRatio(c: { up: number; degraded: number; down: number }): number | null {
  const total = c.up + c.degraded + c.down;
  return total === 0 ? null : (c.up + c.degraded) / total;
}

/** 0.99931 → "99.93%"; never rounds a failure up to 100%. */
export function formatUptime(ratio: number | null): string {
  if (ratio === null) return "—";
  if (ratio === 1) return "100%";
  // The epsilon keeps binary fractions from flooring 0.68 to "67.99%".
  const pct = Math.floor(ratio * 10_000 + 1e-7) / 100;
  return `${pct.toFixed(2)}%`;
}

export const RANGES = ["1h", "24h", "7d", "30d", "90d"] as const;
export type Range = (typeof RANGES)[number];

/** Each chart range reads one rollup resolution and groups it into bins of this size. */
export const RANGE_PLAN: Record<
  Range,
  { spanMs: number; resolution: "minute" | "hour" | "day"; binMs: number }
> = {
  "1h": { spanMs: 3_600_000, resolution: "minute", binMs: 60_000 },
  "24h": { spanMs: 86_400_000, resolution: "minute", binMs: 600_000 },
  "7d": { spanMs: 7 * 86_400_000, resolution: "hour", binMs: 3_600_000 },
  "30d": { spanMs: 30 * 86_400_000, resolution: "hour", binMs: 6 * 3_600_000 },
  "90d": { spanMs: 90 * 86_400_000, resolution: "day", binMs: 86_400_000 },
};

export type MonitorStatusName =
  "unknown" | "up" | "degraded" | "pending" | "down" | "paused" | "new" | "late";

/**
 * Worst first: what colours a service cell with several monitors. States without a
 * signal (no data yet, never pinged, paused) rank below up, so one new heartbeat
 * does not grey out a healthy service.
 */
const SEVERITY: Record<MonitorStatusName, number> = {
  down: 6,
  late: 5,
  pending: 4,
  degraded: 3,
  up: 2,
  unknown: 1,
  new: 1,
  paused: 0,
};

export function worstStatus(statuses: MonitorStatusName[]): MonitorStatusName | null {
  return statuses.reduce<MonitorStatusName | null>(
    (w, s) => (w === null || SEVERITY[s] > SEVERITY[w] ? s : w),
    null,
  );
}

/** A stretch a monitor was down: an incident, from its first failed check to the next good one (open: to null). */
export type DownPeriod = { from: number; to: number | null };

export type WindowUptime = {
  /** Share of the window's observed time that was not down; null before the first check. */
  ratio: number | null;
  /** Set when the monitor's history is shorter than the window: the figure counts from here. */
  since: number | null;
};

/**
 * Time-weighted uptime over [from, to): the time the monitor was down (its incidents,
 * which open only once the retry budget is spent and are dated from the first failed
 * check) over the time it was watched. A window longer than the monitor's history
 * counts from its first check, and says so; callers end the window at the last check
 * (what is known), so the figure holds still between checks and while paused. The one function every page and the
 * badge use, so they cannot disagree.
 */
export function windowUptime(
  down: DownPeriod[],
  window: { from: number; to: number },
  firstCheckAt: number | null,
): WindowUptime {
  if (firstCheckAt === null || firstCheckAt >= window.to) return { ratio: null, since: null };
  const start = Math.max(window.from, firstCheckAt);
  const since = firstCheckAt > window.from ? firstCheckAt : null;
  if (start >= window.to) return { ratio: null, since };
  if (down.length === 0) return { ratio: 1, since };
  // Periods in start order are merged in one pass without copying (every page's poll
  // runs this four times per monitor); any other order is sorted first.
  let ordered = true;
  for (let i = 1; i < down.length && ordered; i++) ordered = down[i - 1]!.from <= down[i]!.from;
  const periods = ordered ? down : [...down].sort((x, y) => x.from - y.from);
  let downMs = 0;
  let reached = start;
  for (const p of periods) {
    const a = Math.max(p.from, start);
    const b = Math.min(p.to ?? window.to, window.to);
    if (b <= a) continue;
    const lo = Math.max(a, reached);
    if (b > lo) downMs += b - lo;
    reached = Math.max(reached, b);
  }
  return { ratio: 1 - downMs / (window.to - start), since };
}

/** Window lengths of the figures every page shows. */
export const UPTIME_WINDOWS = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
} as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;

/** 2026-12-02T02:20:31Z → "2026-12-02 02:20 UTC": chart labels and "since" notes. */
export function utcMinute(t: number | string): string {
  return `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
