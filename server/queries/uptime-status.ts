import "server-only";
import type { UptimeStatusView } from "@/lib/uptime-view";
import type { MonitorConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { LIST_RECENT_INCIDENTS, monitorViewKey, type MonitorListView } from "@/lib/live-views";
import { filterMonitors, pageOf, type MonitorFilter } from "@/lib/monitor-list";
import {
  monitorName,
  monitorStates,
  monitorSummaries,
  openIncidents,
  recentIncidents,
  statusOf,
} from "./uptime";

/** The live uptime picture, as /api/uptime/status returns it and pages prefetch it. */
export function uptimeStatus(db: Db, config: OpsdeckConfig, now = Date.now()): UptimeStatusView {
  return {
    monitors: monitorSummaries(db, config.monitors, now),
    incidents: openIncidents(db, now),
    at: new Date(now).toISOString(),
  };
}

/** The live picture of one monitor (its monitor page's live widget): no other monitor is read. */
export function monitorStatus(db: Db, monitor: MonitorConfig, now = Date.now()): UptimeStatusView {
  return {
    monitors: monitorSummaries(db, [monitor], now),
    incidents: openIncidents(db, now).filter((i) => i.monitorId === monitor.id),
    at: new Date(now).toISOString(),
  };
}

/**
 * One page of the /uptime list: filtered on config and status, paged, and only then
 * summarised, so the cost is one page's summaries whatever the number of monitors;
 * with the newest incidents of every monitor the filter keeps.
 */
export function uptimeListPage(
  db: Db,
  config: OpsdeckConfig,
  filter: MonitorFilter,
  page: number | undefined,
  now = Date.now(),
): MonitorListView {
  const states = monitorStates(db);
  const rows = config.monitors.map((m) => ({
    id: m.id,
    name: monitorName(m),
    service: m.service,
    environment: m.environment,
    status: statusOf(m, states.get(m.id)),
    config: m,
  }));
  const kept = filterMonitors(rows, filter);
  const list = pageOf(kept, page);
  const recent = recentIncidents(
    db,
    kept.length === rows.length ? undefined : kept.map((r) => r.id),
    LIST_RECENT_INCIDENTS,
    now,
  );
  const names = new Map(rows.map((r) => [r.id, r.name]));
  return {
    monitors: monitorSummaries(
      db,
      list.items.map((r) => r.config),
      now,
      states,
    ),
    incidents: [],
    at: new Date(now).toISOString(),
    total: list.total,
    page: list.page,
    key: monitorViewKey({ kind: "list", filter, page: list.page }),
    recentIncidents: recent,
    incidentNames: Object.fromEntries(
      recent.map((i) => [i.monitorId, names.get(i.monitorId) ?? i.monitorId]),
    ),
  };
}
