import "server-only";
import { and, count, desc, eq, gte, isNull, sql } from "drizzle-orm";
import { addHistograms, BUCKETS, emptyHistogram, quantile } from "@/lib/histogram";
import { RANGE_PLAN, uptimeRatio, type Range } from "@/lib/uptime";
import type { IncidentSummaryView, MonitorSummaryView } from "@/lib/uptime-view";
import type { MonitorConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import {
  checkResults,
  incidents,
  monitorRollups,
  monitorState,
  type RollupResolution,
} from "@/server/db/schema";

const HOUR = 3_600_000;
const DAY = 86_400_000;

const sumHist = Array.from({ length: BUCKETS }, (_, i) =>
  sql<number>`sum(${sql.raw(`h${i}`)})`.mapWith(Number),
);
const histFields = Object.fromEntries(sumHist.map((s, i) => [`h${i}`, s])) as Record<
  string,
  (typeof sumHist)[number]
>;
const histOf = (row: Record<string, unknown>) =>
  Array.from({ length: BUCKETS }, (_, i) => Number(row[`h${i}`] ?? 0));

const counts = {
  up: sql<number>`sum(${monitorRollups.up})`.mapWith(Number),
  degraded: sql<number>`sum(${monitorRollups.degraded})`.mapWith(Number),
  down: sql<number>`sum(${monitorRollups.down})`.mapWith(Number),
  maintenance: sql<number>`sum(${monitorRollups.maintenance})`.mapWith(Number),
  min: sql<number | null>`min(${monitorRollups.respMin})`,
  max: sql<number | null>`max(${monitorRollups.respMax})`,
};

type Counts = { up: number; degraded: number; down: number };

/**
 * Per-monitor sums over its own rows. monitor_rollups is clustered on (monitor_id,
 * resolution, bucket) (WITHOUT ROWID), so each query reads one contiguous run of rows:
 * 24 hour rows with their histogram, 168 hour rows (counts only) and 90 day rows (30 d
 * summed alongside). Prepared once per connection.
 */
function summaryStatements(client: Db["$client"]) {
  const counts = (prefix: string) =>
    `sum(up) as ${prefix}_up, sum(degraded) as ${prefix}_degraded, sum(down) as ${prefix}_down`;
  const hist = Array.from({ length: BUCKETS }, (_, i) => `sum(h${i}) as h${i}`).join(", ");
  return {
    day: client.prepare(
      `select ${counts("d1")}, min(resp_min) as min24, max(resp_max) as max24, ${hist}
       from monitor_rollups where monitor_id = @id and resolution = 'hour' and bucket >= @from24`,
    ),
    week: client.prepare(
      `select ${counts("d7")} from monitor_rollups where monitor_id = @id and resolution = 'hour' and bucket >= @from7`,
    ),
    quarter: client.prepare(
      `select ${counts("d90")}, sum(case when bucket >= @from30 then up else 0 end) as d30_up,
              sum(case when bucket >= @from30 then degraded else 0 end) as d30_degraded,
              sum(case when bucket >= @from30 then down else 0 end) as d30_down
       from monitor_rollups where monitor_id = @id and resolution = 'day' and bucket >= @from90`,
    ),
  };
}
const summaryPrepared = new WeakMap<object, ReturnType<typeof summaryStatements>>();

function counted(row: Record<string, number | null>, prefix: string): Counts {
  return {
    up: row[`${prefix}_up`] ?? 0,
    degraded: row[`${prefix}_degraded`] ?? 0,
    down: row[`${prefix}_down`] ?? 0,
  };
}

export type MonitorSummary = MonitorSummaryView;

export function monitorName(m: MonitorConfig): string {
  return m.name ?? m.id;
}

/**
 * Status, uptime over 24 h / 7 d / 30 d / 90 d and p95 for every monitor, from the
 * rollups (hour rows for 24 h and 7 d, day rows for 30 d and 90 d): three short range
 * reads per monitor, whatever the length of history.
 */
export function monitorSummaries(
  db: Db,
  monitors: MonitorConfig[],
  now = Date.now(),
): MonitorSummary[] {
  let st = summaryPrepared.get(db.$client);
  if (!st) {
    st = summaryStatements(db.$client);
    summaryPrepared.set(db.$client, st);
  }
  const hourStart = Math.floor(now / HOUR) * HOUR;
  const dayStart = Math.floor(now / DAY) * DAY;
  const bounds = {
    from24: hourStart - 23 * HOUR,
    from7: hourStart - (7 * 24 - 1) * HOUR,
    from30: dayStart - 29 * DAY,
    from90: dayStart - 89 * DAY,
  };
  const states = new Map(
    db
      .select()
      .from(monitorState)
      .all()
      .map((s) => [s.monitorId, s]),
  );
  return monitors.map((m) => {
    const s = states.get(m.id);
    type Row = Record<string, number | null>;
    const hours: Row = {
      ...(st.day.get({ id: m.id, from24: bounds.from24 }) as Row),
      ...(st.week.get({ id: m.id, from7: bounds.from7 }) as Row),
    };
    const days = st.quarter.get({ id: m.id, from30: bounds.from30, from90: bounds.from90 }) as Row;
    const paused = m.paused || Boolean(s?.pausedBy);
    const hist = Array.from({ length: BUCKETS }, (_, i) => hours[`h${i}`] ?? 0);
    return {
      id: m.id,
      name: monitorName(m),
      type: m.type,
      service: m.service,
      environment: m.environment,
      badge: m.badge,
      status: paused ? "paused" : (s?.status ?? (m.type === "heartbeat" ? "new" : "unknown")),
      since: s?.since.toISOString() ?? null,
      lastCheckAt: s?.lastCheckAt?.toISOString() ?? null,
      lastResponseMs: s?.lastResponseMs ?? null,
      lastError: s?.lastError ?? null,
      tlsDaysLeft: s?.tlsDaysLeft ?? null,
      uptime: {
        "24h": uptimeRatio(counted(hours, "d1")),
        "7d": uptimeRatio(counted(hours, "d7")),
        "30d": uptimeRatio(counted(days, "d30")),
        "90d": uptimeRatio(counted(days, "d90")),
      },
      p95Ms24h: round(quantile(hist, 0.95, { min: hours.min24, max: hours.max24 })),
    };
  });
}

const round = (v: number | null) => (v === null ? null : Math.round(v));

export type IncidentView = IncidentSummaryView;

function toIncidentView(i: typeof incidents.$inferSelect, now: number): IncidentView {
  return {
    id: i.id,
    monitorId: i.monitorId,
    openedAt: i.openedAt.toISOString(),
    closedAt: i.closedAt?.toISOString() ?? null,
    durationMs: (i.closedAt?.getTime() ?? now) - i.openedAt.getTime(),
    cause: i.cause,
    lastError: i.lastError,
    failedChecks: i.failedChecks,
  };
}

export function openIncidents(db: Db, now = Date.now()): IncidentView[] {
  return db
    .select()
    .from(incidents)
    .where(isNull(incidents.closedAt))
    .orderBy(desc(incidents.openedAt))
    .all()
    .map((i) => toIncidentView(i, now));
}

/** Newest incidents first, of one monitor or of all. */
export function recentIncidents(
  db: Db,
  monitorId?: string,
  limit = 50,
  now = Date.now(),
): IncidentView[] {
  return db
    .select()
    .from(incidents)
    .where(monitorId ? eq(incidents.monitorId, monitorId) : undefined)
    .orderBy(desc(incidents.openedAt))
    .limit(limit)
    .all()
    .map((i) => toIncidentView(i, now));
}

export type SeriesPoint = {
  t: number;
  p50: number | null;
  p95: number | null;
  up: number;
  degraded: number;
  down: number;
  maintenance: number;
};

/** Response-time percentiles and check counts over a range, in bins, from one rollup resolution. */
export function responseSeries(
  db: Db,
  monitorId: string,
  range: Range,
  now = Date.now(),
): SeriesPoint[] {
  const plan = RANGE_PLAN[range];
  const from = Math.floor((now - plan.spanMs) / plan.binMs) * plan.binMs + plan.binMs;
  const bin = sql<number>`(${monitorRollups.bucket} / ${plan.binMs}) * ${plan.binMs}`.mapWith(
    Number,
  );
  const rows = db
    .select({ t: bin, ...counts, ...histFields })
    .from(monitorRollups)
    .where(
      and(
        eq(monitorRollups.monitorId, monitorId),
        eq(monitorRollups.resolution, plan.resolution),
        gte(monitorRollups.bucket, from),
      ),
    )
    .groupBy(bin)
    .orderBy(bin)
    .all();
  return rows.map((r) => {
    const hist = histOf(r as Record<string, unknown>);
    return {
      t: r.t,
      p50: round(quantile(hist, 0.5, { min: r.min, max: r.max })),
      p95: round(quantile(hist, 0.95, { min: r.min, max: r.max })),
      up: r.up,
      degraded: r.degraded,
      down: r.down,
      maintenance: r.maintenance,
    };
  });
}

/** Percentiles over a whole range (the figures above the chart). */
export function rangeSummary(points: SeriesPoint[]) {
  const totals = points.reduce(
    (a, p) => ({ up: a.up + p.up, degraded: a.degraded + p.degraded, down: a.down + p.down }),
    { up: 0, degraded: 0, down: 0 },
  );
  return { uptime: uptimeRatio(totals), checks: totals.up + totals.degraded + totals.down };
}

export type DayBar = { day: number; uptime: number | null; down: number; maintenance: number };

/** One bar per UTC day for the last `days` days (empty days included). */
export function dailyUptime(db: Db, monitorId: string, days = 90, now = Date.now()): DayBar[] {
  const today = Math.floor(now / DAY) * DAY;
  const from = today - (days - 1) * DAY;
  const rows = new Map(
    db
      .select()
      .from(monitorRollups)
      .where(
        and(
          eq(monitorRollups.monitorId, monitorId),
          eq(monitorRollups.resolution, "day"),
          gte(monitorRollups.bucket, from),
        ),
      )
      .all()
      .map((r) => [r.bucket, r]),
  );
  return Array.from({ length: days }, (_, i) => {
    const day = from + i * DAY;
    const r = rows.get(day);
    return {
      day,
      uptime: r ? uptimeRatio(r) : null,
      down: r?.down ?? 0,
      maintenance: r?.maintenance ?? 0,
    };
  });
}

/** The most recent raw checks (newest first): bounded by the index, not by history length. */
export function recentChecks(db: Db, monitorId: string, limit = 50) {
  return db
    .select()
    .from(checkResults)
    .where(eq(checkResults.monitorId, monitorId))
    .orderBy(desc(checkResults.at))
    .limit(limit)
    .all();
}

/** Merged latency histogram percentiles for a monitor over a range (used by tests and the badge). */
export function rangePercentiles(
  db: Db,
  monitorId: string,
  resolution: RollupResolution,
  from: number,
) {
  const row = db
    .select({ ...counts, ...histFields })
    .from(monitorRollups)
    .where(
      and(
        eq(monitorRollups.monitorId, monitorId),
        eq(monitorRollups.resolution, resolution),
        gte(monitorRollups.bucket, from),
      ),
    )
    .get();
  const hist = row
    ? addHistograms(emptyHistogram(), histOf(row as Record<string, unknown>))
    : emptyHistogram();
  return {
    p50: quantile(hist, 0.5, { min: row?.min, max: row?.max }),
    p95: quantile(hist, 0.95, { min: row?.min, max: row?.max }),
    p99: quantile(hist, 0.99, { min: row?.min, max: row?.max }),
    uptime: row ? uptimeRatio(row) : null,
  };
}

export function monitorStatusCounts(db: Db) {
  return db
    .select({ status: monitorState.status, n: count() })
    .from(monitorState)
    .groupBy(monitorState.status)
    .all();
}

/** Uptime and percentiles over a chart range, from the range's resolution. */
export function rangeFigures(db: Db, monitorId: string, range: Range, now = Date.now()) {
  const plan = RANGE_PLAN[range];
  return rangePercentiles(db, monitorId, plan.resolution, now - plan.spanMs);
}
