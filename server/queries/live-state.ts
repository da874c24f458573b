import "server-only";
import { sql } from "drizzle-orm";
import {
  LIVE_NEWEST_ALERTS,
  type LiveAlertsView,
  type LiveState,
  type LiveView,
} from "@/lib/live-state";
import { monitorViewKey, type MonitorViewSpec } from "@/lib/live-views";
import { overviewOf } from "@/lib/overview";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { alertTransitions, silences } from "@/server/db/schema";
import { activeAlerts, firingSummary } from "./alerts";
import { monitorStatus, uptimeListPage, uptimeStatus } from "./uptime-status";

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

/**
 * One monitor view, as its widget renders it: the Overview's summary, a page of the
 * list, one monitor, or every monitor. Null for a monitor that is not configured.
 */
export function monitorView(
  db: Db,
  config: OpsdeckConfig,
  spec: MonitorViewSpec,
  now = Date.now(),
): LiveView | null {
  switch (spec.kind) {
    case "all":
      return uptimeStatus(db, config, now);
    case "overview":
      return overviewOf(uptimeStatus(db, config, now));
    case "one": {
      const monitor = config.monitors.find((m) => m.id === spec.id);
      return monitor ? monitorStatus(db, monitor, now) : null;
    }
    case "list":
      return uptimeListPage(db, config, spec.filter, spec.page, now);
  }
}

/** GET /api/live: the alerts always, and the monitor views the widgets on screen asked for. */
export function liveState(
  db: Db,
  config: OpsdeckConfig,
  opts: { views: MonitorViewSpec[]; now?: number },
): LiveState {
  const now = opts.now ?? Date.now();
  // One read transaction: the count, the newest alerts and the monitors are one snapshot.
  return db.transaction(
    () => {
      const views: Record<string, LiveView> = {};
      for (const spec of opts.views) {
        const view = monitorView(db, config, spec, now);
        if (view) views[monitorViewKey(spec)] = view;
      }
      return { alerts: liveAlerts(db, config, now), views };
    },
    { behavior: "deferred" },
  );
}
