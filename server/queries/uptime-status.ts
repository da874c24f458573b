import "server-only";
import type { UptimeStatusView } from "@/lib/uptime-view";
import type { MonitorConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { monitorSummaries, openIncidents } from "./uptime";

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
