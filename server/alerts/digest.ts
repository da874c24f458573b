import "server-only";
import { formatHumanTime } from "@/lib/format";
import { Cron } from "croner";
import { and, gt, isNotNull, lte } from "drizzle-orm";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { alerts } from "@/server/db/schema";
import { enqueueNotification } from "./dispatch";
import { opsdeckUrl, payloadAlert, worstSeverity, type NotificationPayload } from "./payload";
import { routeTree, matchRoutes, type RouteNode } from "./routing";

/**
 * The digest: alerts whose route says `digest: true` are not sent one by one; once a
 * day (alerts.digest.schedule) each such route sends one summary of everything that
 * fired since the previous slot.
 */
export function sendDigests(db: Db, config: OpsdeckConfig, now: number): number {
  const cron = new Cron(config.alerts.digest.schedule, { timezone: "UTC", paused: true });
  const [slot, previous] = cron.previousRuns(2, new Date(now + 1));
  if (!slot) return 0;
  const from = previous ?? new Date(slot.getTime() - 86_400_000);
  const rules = new Map(config.alerts.rules.map((r) => [r.id, r]));
  const root = routeTree(config.alerts.route);
  const fired = db
    .select()
    .from(alerts)
    .where(and(isNotNull(alerts.firedAt), gt(alerts.firedAt, from), lte(alerts.firedAt, slot)))
    .orderBy(alerts.firedAt)
    .all();
  const byRoute = new Map<string, { route: RouteNode; ids: number[] }>();
  for (const a of fired)
    for (const route of matchRoutes(root, a.labels)) {
      if (!route.digest) continue;
      const entry = byRoute.get(route.id) ?? { route, ids: [] };
      entry.ids.push(a.id);
      byRoute.set(route.id, entry);
    }
  let added = 0;
  for (const { route, ids } of byRoute.values()) {
    const list = fired
      .filter((a) => ids.includes(a.id))
      .map((a) => payloadAlert(a, rules.get(a.ruleId)));
    const payload: NotificationPayload = {
      version: 1,
      kind: "digest",
      status: "firing",
      title: `Daily digest: ${list.length} alert${list.length === 1 ? "" : "s"} since ${formatHumanTime(from)}`,
      severity: worstSeverity(list),
      groupLabels: {},
      url: opsdeckUrl("/alerts?tab=history"),
      alerts: list,
    };
    added += enqueueNotification(db, {
      channels: route.channels,
      kind: "digest",
      dedupeKey: `digest:${route.id}:${slot.toISOString()}`,
      alertIds: ids,
      payload,
      now,
    });
  }
  return added;
}

export function hasDigestRoutes(config: OpsdeckConfig): boolean {
  const walk = (r: RouteNode): boolean => r.digest || r.routes.some(walk);
  return walk(routeTree(config.alerts.route));
}
