import "server-only";
import type { UptimeStatusView } from "@/lib/uptime-view";
import type { OpsdeckConfig } from "@/server/config/schema";
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
