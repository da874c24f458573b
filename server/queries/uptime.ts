import "server-only";
import { and, count, desc, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import { addHistograms, BUCKETS, emptyHistogram, quantile } from "@/lib/histogram";
import {
  RANGE_PLAN,
  UPTIME_WINDOWS,
  windowUptime,
  type DownPeriod,
  type MonitorStatusName,
  type Range,
  type UptimeWindow,
} from "@/lib/uptime";
import type { IncidentSummaryView, MonitorSummaryView } from "@/lib/uptime-view";
import type { MonitorConfig } from "@/server/config/schema";
import type { Statement } from "better-sqlite3";
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

/**
 * The 24 h latency histograms of every monitor in one statement: a scan of
 * monitor_recent_hours (the recorder's copy of the last 25 hour rows per monitor, so
 * its size does not grow with history), grouped in its primary-key order.
 */
function summaryStatements(client: Db["$client"]) {
  const hist = Array.from({ length: BUCKETS }, (_, i) => `sum(h${i}) as h${i}`).join(", ");
  return {
    day: client.prepare(
      `select monitor_id as id, min(resp_min) as min24, max(resp_max) as max24, ${hist}
       from monitor_recent_hours where bucket >= @from24 group by monitor_id`,
    ),
    one: client.prepare(
      `select monitor_id as id, min(resp_min) as min24, max(resp_max) as max24, ${hist}
       from monitor_recent_hours where monitor_id = @id and bucket >= @from24 group by monitor_id`,
    ),
  };
}
const summaryPrepared = new WeakMap<object, ReturnType<typeof summaryStatements>>();

type HourSums = Record<string, number | null>;
/** Per connection: each monitor's 24 h p95, with the stamp its sums were read at. */
const recentCache = new WeakMap<object, Map<string, { stamp: string; p95: number | null }>>();
/** Above this many changed monitors one scan of all of them is cheaper than point reads. */
const POINT_READS_MAX = 64;

function p95Of(sums: HourSums | undefined): number | null {
  if (!sums) return null;
  const hist = new Array<number>(BUCKETS);
  for (let i = 0; i < BUCKETS; i++) hist[i] = Number(sums[`h${i}`] ?? 0);
  return round(quantile(hist, 0.95, { min: sums.min24, max: sums.max24 }));
}

/**
 * The 24 h p95 of `monitors`, re-read only for the monitors whose data changed.
 * A monitor's rows in monitor_recent_hours change only when the recorder stores a check,
 * in the same transaction that moves its monitor_state.last_check_at; the window moves
 * only when the hour does. So (first hour, last check) is the stamp of what was read:
 * a poll re-reads the few monitors checked since the last one, not all of them. The
 * stamp comes from the database, so a write from another process is seen too.
 */
function recentP95(
  db: Db,
  st: ReturnType<typeof summaryStatements>,
  monitors: MonitorConfig[],
  states: Map<string, StateSummaryRow>,
  from24: number,
): Map<string, number | null> {
  let cache = recentCache.get(db.$client);
  if (!cache) {
    cache = new Map();
    recentCache.set(db.$client, cache);
  }
  const stale: Array<{ id: string; stamp: string }> = [];
  for (const m of monitors) {
    const stamp = `${from24}:${states.get(m.id)?.lastCheckAt ?? "-"}`;
    if (cache.get(m.id)?.stamp !== stamp) stale.push({ id: m.id, stamp });
  }
  if (stale.length > POINT_READS_MAX) {
    const rows = new Map(
      (st.day.all({ from24 }) as Array<HourSums & { id: string }>).map((r) => [r.id, r]),
    );
    for (const m of stale) cache.set(m.id, { stamp: m.stamp, p95: p95Of(rows.get(m.id)) });
    // Monitors no longer configured are forgotten when many are read at once.
    if (cache.size > monitors.length) {
      const ids = new Set(monitors.map((m) => m.id));
      for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
    }
  } else {
    for (const m of stale) {
      const row = st.one.get({ id: m.id, from24 }) as HourSums | undefined;
      cache.set(m.id, { stamp: m.stamp, p95: p95Of(row) });
    }
  }
  return new Map(monitors.map((m) => [m.id, cache.get(m.id)!.p95]));
}

/**
 * What changes when an incident opens, closes or is added: the newest id, the newest
 * closing and the number open. Three index lookups, whatever the number of incidents.
 */
function incidentsStamp(db: Db): string {
  const row = db.$client
    .prepare(
      `select (select max(id) from incidents) as id,
              (select max(closed_at) from incidents) as closed,
              (select count(*) from incidents where closed_at is null) as open`,
    )
    .get() as { id: number | null; closed: number | null; open: number };
  return `${row.id}:${row.closed}:${row.open}`;
}

/** Per connection: every monitor's down periods since `from`, read at `stamp`. */
const downCache = new WeakMap<
  object,
  { stamp: string; from: number; periods: Map<string, DownPeriod[]> }
>();
/** How far the window may move on before the cached periods are read again (and pruned). */
const DOWN_REREAD_MS = HOUR;

/**
 * downPeriods of every monitor, read again only when an incident opened, closed or was
 * added since the last read (or the window moved on by an hour). Periods that have left
 * the window since are harmless: windowUptime clips each period to its window.
 */
function allDownPeriods(db: Db, from: number): Map<string, DownPeriod[]> {
  const stamp = incidentsStamp(db);
  const cached = downCache.get(db.$client);
  if (
    cached &&
    cached.stamp === stamp &&
    cached.from <= from &&
    from - cached.from < DOWN_REREAD_MS
  ) {
    return cached.periods;
  }
  const periods = downPeriods(db, from);
  downCache.set(db.$client, { stamp, from, periods });
  return periods;
}

/**
 * Every monitor's down periods (its incidents) that reach into [from, now], by monitor:
 * the open ones and those closed since `from`, read through the closed_at index.
 */
export function downPeriods(db: Db, from: number, monitorId?: string): Map<string, DownPeriod[]> {
  const reach = or(isNull(incidents.closedAt), gte(incidents.closedAt, new Date(from)));
  const rows = db
    .select({
      monitorId: incidents.monitorId,
      openedAt: incidents.openedAt,
      closedAt: incidents.closedAt,
    })
    .from(incidents)
    .where(monitorId ? and(eq(incidents.monitorId, monitorId), reach) : reach)
    // In start order, so windowUptime merges them without sorting.
    .orderBy(incidents.openedAt)
    .all();
  const out = new Map<string, DownPeriod[]>();
  for (const r of rows) {
    const list = out.get(r.monitorId) ?? [];
    list.push({ from: r.openedAt.getTime(), to: r.closedAt?.getTime() ?? null });
    out.set(r.monitorId, list);
  }
  return out;
}

/** What uptime needs to know of a monitor's config. */
export type WatchedMonitor = Pick<MonitorConfig, "id" | "type" | "paused">;

/**
 * Where the watched time ends: at the last check of a probed monitor (what is known, so
 * a figure holds still between checks and stops while paused); a heartbeat is watched
 * until now unless paused (the engine marks it late or down as soon as pings stop).
 */
function watchEnd(
  m: WatchedMonitor,
  state: { lastCheckAt: number | null; pausedBy: string | null } | undefined,
  now: number,
): number {
  const paused = m.paused || Boolean(state?.pausedBy);
  const last = state?.lastCheckAt ?? now;
  return m.type === "heartbeat" && !paused ? now : Math.min(now, last);
}

/** The first counted check and the end of the watched time of one monitor. */
function watchedSpan(db: Db, m: WatchedMonitor, now: number) {
  const row = db
    .select({
      first: monitorState.firstCheckAt,
      lastCheckAt: monitorState.lastCheckAt,
      pausedBy: monitorState.pausedBy,
    })
    .from(monitorState)
    .where(eq(monitorState.monitorId, m.id))
    .get();
  const state = row && { lastCheckAt: row.lastCheckAt?.getTime() ?? null, pausedBy: row.pausedBy };
  return { first: row?.first?.getTime() ?? null, end: watchEnd(m, state, now) };
}

/** A monitor's uptime over the `spanMs` before `now`: what every page and the badge show. */
export function monitorUptime(db: Db, m: WatchedMonitor, spanMs: number, now = Date.now()) {
  const { first, end } = watchedSpan(db, m, now);
  const window = { from: now - spanMs, to: end };
  return windowUptime(downPeriods(db, window.from, m.id).get(m.id) ?? [], window, first);
}

export type MonitorSummary = MonitorSummaryView;

export function monitorName(m: MonitorConfig): string {
  return m.name ?? m.id;
}

/** What a summary needs of a monitor_state row, instants as epoch ms. */
export type StateSummaryRow = {
  monitorId: string;
  status: (typeof monitorState.$inferSelect)["status"];
  since: number;
  lastCheckAt: number | null;
  lastResponseMs: number | null;
  lastError: string | null;
  tlsDaysLeft: number | null;
  pausedBy: string | null;
  firstCheckAt: number | null;
};

/** Up to this many monitors are read by id; more, and one scan of the table is cheaper. */
const BY_ID_MAX = 64;

const STATE_COLUMNS = `monitor_id as monitorId, status, since, last_check_at as lastCheckAt,
  last_response_ms as lastResponseMs, last_error as lastError, tls_days_left as tlsDaysLeft,
  paused_by as pausedBy, first_check_at as firstCheckAt`;
const statePrepared = new WeakMap<object, { all: Statement; some: Statement }>();

/**
 * The monitor_state rows of `ids` (every monitor's when omitted), by id: one read, the
 * input of every summary. Read as plain numbers: a Date per instant (six per row, as the
 * ORM maps them) cost more than the rest of a summary at 1,000 monitors.
 */
export function monitorStates(db: Db, ids?: string[]): Map<string, StateSummaryRow> {
  let st = statePrepared.get(db.$client);
  if (!st) {
    st = {
      all: db.$client.prepare(`select ${STATE_COLUMNS} from monitor_state`),
      some: db.$client.prepare(
        `select ${STATE_COLUMNS} from monitor_state where monitor_id in (select value from json_each(?))`,
      ),
    };
    statePrepared.set(db.$client, st);
  }
  const rows = (ids ? st.some.all(JSON.stringify(ids)) : st.all.all()) as StateSummaryRow[];
  return new Map(rows.map((r) => [r.monitorId, r]));
}

const statesOf = (db: Db, monitors: MonitorConfig[]) =>
  monitorStates(db, monitors.length <= BY_ID_MAX ? monitors.map((m) => m.id) : undefined);

/** The status every page shows: paused by config or by a person, else what the engine said. */
export function statusOf(m: MonitorConfig, s: StateSummaryRow | undefined): MonitorStatusName {
  if (m.paused || s?.pausedBy) return "paused";
  return s?.status ?? (m.type === "heartbeat" ? "new" : "unknown");
}

const WINDOWS = Object.keys(UPTIME_WINDOWS) as UptimeWindow[];

/**
 * ISO strings of the instants summaries repeat on every poll (first check, last check,
 * status since): formatting 1,000 monitors' dates was most of a summary's cost.
 */
const isoMemo = new Map<number, string>();
function iso(ms: number): string {
  let v = isoMemo.get(ms);
  if (v === undefined) {
    if (isoMemo.size >= 20_000) isoMemo.clear();
    v = new Date(ms).toISOString();
    isoMemo.set(ms, v);
  }
  return v;
}

/**
 * Status, time-weighted uptime over 24 h / 7 d / 30 d / 90 d (windowUptime over the
 * monitor's incidents) and the 24 h p95 of `monitors`: one incidents read, one state
 * read (or the caller's, when it filtered on status first), and the recent hours
 * re-read only for the monitors checked since (recentP95), whatever the length of
 * history. Callers that show a page of monitors filter and page before calling.
 */
export function monitorSummaries(
  db: Db,
  monitors: MonitorConfig[],
  now = Date.now(),
  states: Map<string, StateSummaryRow> = statesOf(db, monitors),
): MonitorSummary[] {
  let st = summaryPrepared.get(db.$client);
  if (!st) {
    st = summaryStatements(db.$client);
    summaryPrepared.set(db.$client, st);
  }
  const from24 = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
  const from90 = now - UPTIME_WINDOWS["90d"];
  // One monitor (its page, its badge) reads its own incidents; a list reads everyone's.
  const down =
    monitors.length === 1 ? downPeriods(db, from90, monitors[0]!.id) : allDownPeriods(db, from90);
  const p95 = recentP95(db, st, monitors, states, from24);
  const none: DownPeriod[] = [];
  return monitors.map((m) => {
    const s = states.get(m.id);
    const first = s?.firstCheckAt ?? null;
    const end = watchEnd(m, s, now);
    const periods = down.get(m.id) ?? none;
    const uptime = {} as MonitorSummary["uptime"];
    const uptimeSince = {} as MonitorSummary["uptimeSince"];
    for (const w of WINDOWS) {
      const u = windowUptime(periods, { from: now - UPTIME_WINDOWS[w], to: end }, first);
      uptime[w] = u.ratio;
      uptimeSince[w] = u.since === null ? null : iso(u.since);
    }
    return {
      id: m.id,
      name: monitorName(m),
      type: m.type,
      service: m.service,
      environment: m.environment,
      badge: m.badge,
      status: statusOf(m, s),
      since: s ? iso(s.since) : null,
      lastCheckAt: s?.lastCheckAt != null ? iso(s.lastCheckAt) : null,
      lastResponseMs: s?.lastResponseMs ?? null,
      lastError: s?.lastError ?? null,
      tlsDaysLeft: s?.tlsDaysLeft ?? null,
      uptime,
      uptimeSince,
      // A heartbeat's "response time" is its job's run time: no latency percentile.
      p95Ms24h: m.type === "heartbeat" ? null : (p95.get(m.id) ?? null),
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
/** The newest incidents: of one monitor, of a set of monitors, or of every monitor. */
export function recentIncidents(
  db: Db,
  monitorId?: string | string[],
  limit = 50,
  now = Date.now(),
): IncidentView[] {
  return db
    .select()
    .from(incidents)
    .where(
      monitorId === undefined
        ? undefined
        : typeof monitorId === "string"
          ? eq(incidents.monitorId, monitorId)
          : inArray(incidents.monitorId, monitorId),
    )
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

/** A down period drawn on a time chart, clipped to the chart's range; open runs to now. */
export type DownBand = { from: number; to: number; open: boolean };

/** The down periods of one monitor over [from, now], for the bands of a time chart. */
export function downBands(db: Db, monitorId: string, from: number, now: number): DownBand[] {
  return (downPeriods(db, from, monitorId).get(monitorId) ?? [])
    .filter((p) => p.from < now)
    .map((p) => ({
      from: Math.max(p.from, from),
      to: Math.min(p.to ?? now, now),
      open: p.to === null,
    }))
    .sort((a, b) => a.from - b.from);
}

/**
 * Response-time percentiles and check counts over a range, in bins, from one rollup
 * resolution (failed checks never enter the histograms), and the range's down periods.
 */
export function responseSeries(
  db: Db,
  monitorId: string,
  range: Range,
  now = Date.now(),
): { points: SeriesPoint[]; bands: DownBand[] } {
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
  const points = rows.map((r) => {
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
  return { points, bands: downBands(db, monitorId, now - plan.spanMs, now) };
}

export type DayBar = { day: number; uptime: number | null; down: number; maintenance: number };

/** One bar per UTC day for the last `days` days (empty days included), time-weighted like every uptime figure. */
export function dailyUptime(db: Db, m: WatchedMonitor, days = 90, now = Date.now()): DayBar[] {
  const monitorId = m.id;
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
  const down = downPeriods(db, from, monitorId).get(monitorId) ?? [];
  const { first, end } = watchedSpan(db, m, now);
  return Array.from({ length: days }, (_, i) => {
    const day = from + i * DAY;
    const r = rows.get(day);
    const counted = r !== undefined && r.up + r.degraded + r.down > 0;
    return {
      day,
      uptime: counted
        ? windowUptime(down, { from: day, to: Math.min(day + DAY, end) }, first).ratio
        : null,
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

/** Merged latency histogram percentiles for a monitor over a range, from successful checks only. */
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
  };
}

export function monitorStatusCounts(db: Db) {
  return db
    .select({ status: monitorState.status, n: count() })
    .from(monitorState)
    .groupBy(monitorState.status)
    .all();
}

/** Uptime (the same windowUptime every page shows) and percentiles over a chart range. */
export function rangeFigures(db: Db, m: WatchedMonitor, range: Range, now = Date.now()) {
  const plan = RANGE_PLAN[range];
  const uptime = monitorUptime(db, m, plan.spanMs, now);
  return {
    ...rangePercentiles(db, m.id, plan.resolution, now - plan.spanMs),
    uptime: uptime.ratio,
    since: uptime.since,
  };
}

/** A heartbeat's last ping and the start of a run still going, if any. */
export function heartbeatTimes(db: Db, monitorId: string) {
  const row = db
    .select({ lastPingAt: monitorState.lastPingAt, lastStartAt: monitorState.lastStartAt })
    .from(monitorState)
    .where(eq(monitorState.monitorId, monitorId))
    .get();
  return {
    lastPingAt: row?.lastPingAt?.toISOString() ?? null,
    lastStartAt: row?.lastStartAt?.toISOString() ?? null,
  };
}

/** Everything a monitor page shows over one chart range, at one instant. */
export function monitorRange(db: Db, m: WatchedMonitor, range: Range, now = Date.now()) {
  return {
    ...responseSeries(db, m.id, range, now),
    figures: rangeFigures(db, m, range, now),
    range: { from: now - RANGE_PLAN[range].spanMs, to: now },
  };
}
