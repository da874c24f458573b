import "server-only";
import { and, desc, eq, gte, inArray, isNotNull, like, lt, sql } from "drizzle-orm";
import type { ActiveAlertView, AlertView, RuleStatsView } from "@/lib/alerts/view";
import { median } from "@/lib/deploy-view";
import { notifiableFiring } from "@/server/alerts/dispatch";
import { routeTree, matchRoutes } from "@/server/alerts/routing";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import {
  alerts,
  alertTransitions,
  channelState,
  notifications,
  silences,
  type AlertRow,
} from "@/server/db/schema";

export function alertCounts(db: Db) {
  return db
    .select({ state: alerts.state, severity: alerts.severity, n: sql<number>`count(*)` })
    .from(alerts)
    .groupBy(alerts.state, alerts.severity)
    .all()
    .map((r) => ({ ...r, n: Number(r.n) }));
}

export function notificationCounts(db: Db) {
  return db
    .select({
      channelId: notifications.channelId,
      status: notifications.status,
      n: sql<number>`count(*)`,
    })
    .from(notifications)
    .groupBy(notifications.channelId, notifications.status)
    .all()
    .map((r) => ({ ...r, n: Number(r.n) }));
}

export function toAlertView(row: AlertRow, config: OpsdeckConfig): AlertView {
  const rule = config.alerts.rules.find((r) => r.id === row.ruleId);
  return {
    id: row.id,
    ruleId: row.ruleId,
    name: rule?.name ?? row.ruleId,
    severity: row.severity,
    state: row.state,
    summary: row.summary,
    labels: row.labels,
    value: row.value,
    activeAt: row.activeAt.toISOString(),
    firedAt: row.firedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedBy,
    falsePositive: row.falsePositive,
    ackedAt: row.ackedAt?.toISOString() ?? null,
    ackedBy: row.ackedBy,
    runbook: rule?.runbook ?? null,
    escalation:
      row.escalationPolicy !== null
        ? {
            policy: row.escalationPolicy,
            level: row.escalationLevel,
            nextAt: row.escalationNextAt?.toISOString() ?? null,
          }
        : null,
  };
}

/** Firing and pending alerts, with why each is or is not being notified. */
export function activeAlerts(db: Db, config: OpsdeckConfig, now = Date.now()): ActiveAlertView[] {
  const { silenced, inhibited } = notifiableFiring(db, config, now);
  const rows = db
    .select()
    .from(alerts)
    .where(inArray(alerts.state, ["firing", "pending"]))
    .orderBy(desc(alerts.activeAt))
    .all();
  const root = routeTree(config.alerts.route);
  return rows.map((row) => {
    const routes = matchRoutes(root, row.labels);
    const view = toAlertView(row, config);
    return {
      ...view,
      silencedBy: silenced.get(row.id) ?? null,
      inhibitedBy: inhibited.get(row.id) ?? null,
      channels: [...new Set(routes.flatMap((r) => r.channels))],
      group: [view.name, row.labels.service, row.labels.environment].filter(Boolean).join(" · "),
    };
  });
}

export type AlertFilter = {
  rule?: string;
  severity?: string;
  service?: string;
  environment?: string;
  state?: string;
  q?: string;
  before?: number;
};

export function alertHistory(
  db: Db,
  config: OpsdeckConfig,
  filter: AlertFilter,
  limit = 50,
): AlertView[] {
  const where = [
    filter.rule ? eq(alerts.ruleId, filter.rule) : undefined,
    filter.severity ? eq(alerts.severity, filter.severity as AlertRow["severity"]) : undefined,
    filter.state ? eq(alerts.state, filter.state as AlertRow["state"]) : undefined,
    filter.service
      ? like(alerts.fingerprint, `%service=${JSON.stringify(filter.service)}%`)
      : undefined,
    filter.environment
      ? like(alerts.fingerprint, `%environment=${JSON.stringify(filter.environment)}%`)
      : undefined,
    filter.q ? like(alerts.summary, `%${filter.q.replace(/[%_]/g, "")}%`) : undefined,
    filter.before ? lt(alerts.id, filter.before) : undefined,
  ].filter(Boolean);
  return db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(desc(alerts.id))
    .limit(limit)
    .all()
    .map((r) => toAlertView(r, config));
}

export function getAlert(db: Db, id: number) {
  const row = db.select().from(alerts).where(eq(alerts.id, id)).get();
  if (!row) return undefined;
  return {
    row,
    transitions: db
      .select()
      .from(alertTransitions)
      .where(eq(alertTransitions.alertId, id))
      .orderBy(alertTransitions.id)
      .all(),
    notifications: db
      .select()
      .from(notifications)
      .where(sql`exists (select 1 from json_each(${notifications.alertIds}) where value = ${id})`)
      .orderBy(notifications.id)
      .all(),
  };
}

const DAY = 86_400_000;
/** An episode that starts again this soon after the last one resolved counts as a flap. */
export const FLAP_WINDOW_MS = 3_600_000;

/** Per rule over the last `days`: times fired, median time to acknowledge, false positives, flaps. */
export function ruleStats(
  db: Db,
  config: OpsdeckConfig,
  now = Date.now(),
  days = 30,
): RuleStatsView[] {
  const since = new Date(now - days * DAY);
  const fired = db
    .select()
    .from(alerts)
    .where(and(isNotNull(alerts.firedAt), gte(alerts.firedAt, since)))
    .orderBy(alerts.firedAt)
    .all();
  return config.alerts.rules.map((rule) => {
    const mine = fired.filter((a) => a.ruleId === rule.id);
    const ackTimes = mine
      .filter((a) => a.ackedAt && a.firedAt)
      // Acknowledged while still pending: no time at all after it fired.
      .map((a) => Math.max(0, a.ackedAt!.getTime() - a.firedAt!.getTime()));
    const lastResolved = new Map<string, number>();
    let flaps = 0;
    for (const a of mine) {
      const prev = lastResolved.get(a.fingerprint);
      if (prev !== undefined && a.firedAt!.getTime() - prev <= FLAP_WINDOW_MS) flaps++;
      if (a.resolvedAt) lastResolved.set(a.fingerprint, a.resolvedAt.getTime());
    }
    const closed = mine.filter((a) => a.state === "resolved");
    const falsePositives = closed.filter((a) => a.falsePositive).length;
    return {
      ruleId: rule.id,
      name: rule.name ?? rule.id,
      severity: rule.severity,
      condition: rule.condition.type,
      fired: mine.length,
      firingNow: mine.filter((a) => a.state === "firing").length,
      medianAckMs: median(ackTimes),
      acked: ackTimes.length,
      falsePositives,
      falsePositiveShare: closed.length ? falsePositives / closed.length : null,
      flaps,
    };
  });
}

export function silenceList(db: Db, now = Date.now()) {
  const rows = db.select().from(silences).orderBy(desc(silences.id)).limit(200).all();
  return rows.map((s) => ({
    id: s.id,
    matchers: s.matchers,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    comment: s.comment,
    createdBy: s.createdBy,
    expiredBy: s.expiredBy,
    status:
      s.endsAt.getTime() <= now
        ? ("expired" as const)
        : s.startsAt.getTime() > now
          ? ("pending" as const)
          : ("active" as const),
  }));
}

export function channelSummaries(db: Db, config: OpsdeckConfig) {
  const states = new Map(
    db
      .select()
      .from(channelState)
      .all()
      .map((s) => [s.channelId, s]),
  );
  const counts = notificationCounts(db);
  return config.alerts.channels.map((c) => {
    const s = states.get(c.id);
    const n = (status: string) =>
      counts.find((x) => x.channelId === c.id && x.status === status)?.n ?? 0;
    return {
      id: c.id,
      name: c.name ?? c.id,
      type: c.type,
      target:
        c.type === "email"
          ? `${c.to.join(", ") || "(on-call person)"} via ${c.smtp.host}:${c.smtp.port}`
          : c.type === "webhook"
            ? new URL(c.url).host
            : "Slack incoming webhook",
      lastSuccessAt: s?.lastSuccessAt?.toISOString() ?? null,
      lastErrorAt: s?.lastErrorAt?.toISOString() ?? null,
      lastError: s?.lastError ?? null,
      permanent: s?.permanent ?? false,
      blockedUntil: s?.blockedUntil?.toISOString() ?? null,
      pending: n("pending"),
      sent: n("sent"),
      failed: n("failed") + n("expired"),
    };
  });
}

export function channelNotifications(db: Db, channelId: string, limit = 50) {
  return db
    .select()
    .from(notifications)
    .where(eq(notifications.channelId, channelId))
    .orderBy(desc(notifications.id))
    .limit(limit)
    .all()
    .map((n) => ({
      id: n.id,
      kind: n.kind,
      title: (n.payload as { title?: string }).title ?? n.kind,
      recipient: n.recipient,
      status: n.status,
      attempts: n.attempts,
      lastError: n.lastError,
      createdAt: n.createdAt.toISOString(),
      sentAt: n.sentAt?.toISOString() ?? null,
      nextAttemptAt: n.status === "pending" ? n.nextAttemptAt.toISOString() : null,
    }));
}

/** Firing alerts for the Overview and the nav badge. */
export function firingSummary(db: Db) {
  const rows = db
    .select({ severity: alerts.severity, n: sql<number>`count(*)` })
    .from(alerts)
    .where(eq(alerts.state, "firing"))
    .groupBy(alerts.severity)
    .all();
  const by = Object.fromEntries(rows.map((r) => [r.severity, Number(r.n)]));
  return { critical: by.critical ?? 0, warning: by.warning ?? 0, info: by.info ?? 0 };
}
