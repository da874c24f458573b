import "server-only";
import { BUCKETS, quantile } from "@/lib/histogram";
import { formatDuration } from "@/lib/duration";
import { uptimeRatio } from "@/lib/uptime";
import type { ConditionConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import {
  monitorLabels,
  monitorTitle,
  selectMonitors,
  type Evaluator,
  type Instance,
} from "./types";

type Of<T extends ConditionConfig["type"]> = Extract<ConditionConfig, { type: T }>;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function statements(client: Db["$client"]) {
  const hist = Array.from({ length: BUCKETS }, (_, i) => `sum(h${i}) as h${i}`).join(", ");
  return {
    openIncident: client.prepare(
      `select cause, last_error as lastError, opened_at as openedAt from incidents
       where monitor_id = ? and opened_at <= ? and (closed_at is null or closed_at > ?)
       order by opened_at desc limit 1`,
    ),
    state: client.prepare(
      `select status, last_error as lastError, tls_days_left as tlsDaysLeft, last_response_ms as lastResponseMs
       from monitor_state where monitor_id = ?`,
    ),
    latency: client.prepare(
      `select min(resp_min) as min, max(resp_max) as max, sum(resp_count) as n, ${hist}
       from monitor_rollups where monitor_id = ? and resolution = 'minute' and bucket >= ? and bucket <= ?`,
    ),
    uptime: client.prepare(
      `select sum(up) as up, sum(degraded) as degraded, sum(down) as down
       from monitor_rollups where monitor_id = ? and resolution = ? and bucket >= ? and bucket < ?`,
    ),
    degradedMinute: client.prepare(
      `select degraded, up, down from monitor_rollups
       where monitor_id = ? and resolution = 'minute' and bucket = ?`,
    ),
    tlsAt: client.prepare(
      `select tls_days_left as tlsDaysLeft from check_results
       where monitor_id = ? and at <= ? and tls_days_left is not null order by at desc limit 1`,
    ),
  };
}
const prepared = new WeakMap<object, ReturnType<typeof statements>>();
function sql(db: Db) {
  let s = prepared.get(db.$client);
  if (!s) prepared.set(db.$client, (s = statements(db.$client)));
  return s;
}

type IncidentRow = { cause: string; lastError: string | null; openedAt: number };
type StateRow = {
  status: string;
  lastError: string | null;
  tlsDaysLeft: number | null;
  lastResponseMs: number | null;
};

/** A monitor is down (an incident is open) or degraded. */
export const monitorCondition: Evaluator<Of<"monitor">> = (c, ctx) => {
  const q = sql(ctx.db);
  const out: Instance[] = [];
  for (const m of selectMonitors(ctx.config, c)) {
    const incident = q.openIncident.get(m.id, ctx.now, ctx.now) as IncidentRow | undefined;
    if (incident && c.status.includes("down")) {
      out.push({
        labels: { ...monitorLabels(m), status: "down" },
        summary: `${monitorTitle(m)} is down: ${incident.lastError ?? incident.cause}`,
      });
      continue;
    }
    if (!c.status.includes("degraded")) continue;
    if (ctx.live) {
      const state = q.state.get(m.id) as StateRow | undefined;
      if (state?.status === "degraded")
        out.push({
          labels: { ...monitorLabels(m), status: "degraded" },
          summary: `${monitorTitle(m)} is degraded${state.lastError ? `: ${state.lastError}` : ""}`,
        });
    } else {
      const minute = q.degradedMinute.get(m.id, ctx.now - (ctx.now % MINUTE)) as
        { degraded: number; up: number; down: number } | undefined;
      if (minute && minute.degraded > 0 && minute.up === 0)
        out.push({
          labels: { ...monitorLabels(m), status: "degraded" },
          summary: `${monitorTitle(m)} is degraded`,
        });
    }
  }
  return out;
};

/** A heartbeat is late (inside its grace time) or down. */
export const heartbeatCondition: Evaluator<Of<"heartbeat">> = (c, ctx) => {
  const q = sql(ctx.db);
  const out: Instance[] = [];
  for (const m of selectMonitors(ctx.config, c, ["heartbeat"])) {
    let status: string | undefined;
    if (ctx.live) status = (q.state.get(m.id) as StateRow | undefined)?.status;
    else if (q.openIncident.get(m.id, ctx.now, ctx.now)) status = "down";
    if (status !== "late" && status !== "down") continue;
    if (!c.status.includes(status)) continue;
    out.push({
      labels: { ...monitorLabels(m), status },
      summary:
        status === "late"
          ? `${monitorTitle(m)}: the expected ping is late`
          : `${monitorTitle(m)}: no ping within period and grace; the job did not run or failed`,
    });
  }
  return out;
};

/** The chosen percentile of response time over the window is above the threshold. */
export const latencyCondition: Evaluator<Of<"latency">> = (c, ctx) => {
  const q = sql(ctx.db);
  const out: Instance[] = [];
  const from = ctx.now - c.window;
  // A heartbeat's "response time" is the job's reported duration, not latency.
  for (const m of selectMonitors(ctx.config, c, ["http", "tcp", "tls"])) {
    const row = q.latency.get(m.id, from - (from % MINUTE), ctx.now) as Record<
      string,
      number | null
    >;
    if (!row?.n) continue;
    const hist = Array.from({ length: BUCKETS }, (_, i) => Number(row[`h${i}`] ?? 0));
    const p = quantile(hist, c.percentile / 100, { min: row.min, max: row.max });
    if (p === null || p <= c.threshold) continue;
    out.push({
      labels: monitorLabels(m),
      value: Math.round(p),
      summary: `${monitorTitle(m)}: p${c.percentile} response time ${formatDuration(p)} over the last ${formatDuration(c.window)} (threshold ${formatDuration(c.threshold)})`,
    });
  }
  return out;
};

/**
 * Counts over [from, to) from the coarsest rollups that fit: whole days from day rows,
 * the ragged ends from hour rows (or minute rows for windows up to a day), so a 30-day
 * window reads about 80 rows per monitor instead of 720.
 */
function countsBetween(q: ReturnType<typeof sql>, monitorId: string, from: number, to: number) {
  const total = { up: 0, degraded: 0, down: 0 };
  const add = (resolution: string, a: number, b: number) => {
    if (b <= a) return;
    const row = q.uptime.get(monitorId, resolution, a, b) as Partial<typeof total> | undefined;
    total.up += row?.up ?? 0;
    total.degraded += row?.degraded ?? 0;
    total.down += row?.down ?? 0;
  };
  if (to - from <= DAY) {
    add("minute", from - (from % MINUTE), to + 1);
    return total;
  }
  const firstDay = Math.ceil(from / DAY) * DAY;
  const lastDay = Math.floor(to / DAY) * DAY;
  add("hour", from - (from % HOUR), firstDay);
  add("day", firstDay, lastDay);
  add("hour", lastDay, to + 1);
  return total;
}

/** Uptime over the window is below the target (maintenance is not counted). */
export const uptimeCondition: Evaluator<Of<"uptime">> = (c, ctx) => {
  const q = sql(ctx.db);
  const out: Instance[] = [];
  for (const m of selectMonitors(ctx.config, c)) {
    const counts = countsBetween(q, m.id, ctx.now - c.window, ctx.now);
    // Two failed checks of a new monitor are not a 30-day uptime.
    if (counts.up + counts.degraded + counts.down < c.minChecks) continue;
    const ratio = uptimeRatio(counts);
    if (ratio === null || ratio * 100 >= c.target) continue;
    const pct = Math.floor(ratio * 100_000) / 1000;
    out.push({
      labels: monitorLabels(m),
      value: pct,
      summary: `${monitorTitle(m)}: uptime ${pct}% over the last ${formatDuration(c.window)}, below the ${c.target}% target`,
    });
  }
  return out;
};

/** The certificate expires within N days (http monitors on https, and tls monitors). */
export const tlsCondition: Evaluator<Of<"tls">> = (c, ctx) => {
  const q = sql(ctx.db);
  const out: Instance[] = [];
  for (const m of selectMonitors(ctx.config, c, ["http", "tls"])) {
    const days = ctx.live
      ? (q.state.get(m.id) as StateRow | undefined)?.tlsDaysLeft
      : (q.tlsAt.get(m.id, ctx.now) as { tlsDaysLeft: number } | undefined)?.tlsDaysLeft;
    if (days === null || days === undefined || days > c.days) continue;
    out.push({
      labels: monitorLabels(m),
      value: days,
      summary:
        days < 0
          ? `${monitorTitle(m)}: the TLS certificate has expired`
          : `${monitorTitle(m)}: the TLS certificate expires in ${days} day${days === 1 ? "" : "s"}`,
    });
  }
  return out;
};
