import "server-only";
import { sql } from "drizzle-orm";
import { LIVE_NEWEST_ALERTS, type LiveAlertsView, type LiveState } from "@/lib/live-state";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { alertTransitions, silences } from "@/server/db/schema";
import { activeAlerts, firingSummary } from "./alerts";
import { uptimeStatus } from "./uptime-status";

/**
 * A token that changes with every alert transition (the evaluator's, an acknowledgement,
 * a resolve, an escalation step) and every silence added, expired or starting/ending by
 * the clock. Two indexed aggregates: cheap enough for every tab's poll.
 */
function alertsVersion(db: Db, now: number): string {
  const transitions = db
    .select({ last: sql<number | null>`max(${alertTransitions.id})` })
    .from(alertTransitions)
    .get();
  const silence = db
    .select({
      last: sql<number | null>`max(${silences.id})`,
      ends: sql<number | null>`total(${silences.endsAt})`,
      active: sql<number>`sum(case when ${silences.startsAt} <= ${now} and ${silences.endsAt} > ${now} then 1 else 0 end)`,
    })
    .from(silences)
    .get();
  return [
    transitions?.last ?? 0,
    silence?.last ?? 0,
    silence?.ends ?? 0,
    Number(silence?.active ?? 0),
  ].join(".");
}

/** The firing alerts every page shows live: the navigation's count and the Overview's card. */
export function liveAlerts(db: Db, config: OpsdeckConfig, now = Date.now()): LiveAlertsView {
  const counts = firingSummary(db);
  const newest = activeAlerts(db, config, { now, state: "firing", limit: LIVE_NEWEST_ALERTS });
  return {
    at: new Date(now).toISOString(),
    firing: { total: counts.critical + counts.warning + counts.info, ...counts },
    newest: newest.items,
    version: alertsVersion(db, now),
  };
}

/** GET /api/live: the alerts always; every monitor's status only when asked for. */
export function liveState(
  db: Db,
  config: OpsdeckConfig,
  opts: { monitors: boolean; now?: number },
): LiveState {
  const now = opts.now ?? Date.now();
  // One read transaction: the count, the newest alerts and the monitors are one snapshot.
  return db.transaction(
    () => ({
      alerts: liveAlerts(db, config, now),
      uptime: opts.monitors ? uptimeStatus(db, config, now) : null,
    }),
    { behavior: "deferred" },
  );
}
