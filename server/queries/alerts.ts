import "server-only";
import { and, desc, eq, gt, gte, inArray, isNotNull, like, lt, or, sql } from "drizzle-orm";
import type { ActiveAlertView, AlertView, RuleStatsView } from "@/lib/alerts/view";
import { median } from "@/lib/deploy-view";
import { holdsOn } from "@/server/alerts/dispatch";
import { routeTree, matchRoutes } from "@/server/alerts/routing";
import { peopleNames } from "@/server/queries/users";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db, DbOrTx } from "@/server/db";
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

/** Who acknowledged or resolved alerts, by name (accounts are stored by email; "cli", "system" stay). */
export function alertPeople(db: DbOrTx, rows: AlertRow[]): (who: string) => string {
  const nameOf = peopleNames(
    db,
    rows.flatMap((r) => [r.ackedBy ?? "", r.resolvedBy ?? ""]).filter((w) => w.includes("@")),
  );
  return (who) => (who.includes("@") ? nameOf(who) : who);
}

export function toAlertView(
  row: AlertRow,
  config: OpsdeckConfig,
  nameOf: (who: string) => string = (who) => who,
): AlertView {
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
    resolvedBy: row.resolvedBy === null ? null : nameOf(row.resolvedBy),
    falsePositive: row.falsePositive,
    ackedAt: row.ackedAt?.toISOString() ?? null,
    ackedBy: row.ackedBy === null ? null : nameOf(row.ackedBy),
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

/** Rows per page of every alert list, and the most any request can ask for. */
export const PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** One page of a list, and the cursor of the next one (null on the last page). */
export type Page<T> = { items: T[]; next: string | null };

function pageLimit(asked: number | undefined): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(asked ?? PAGE_SIZE) || PAGE_SIZE));
}

/** Reads one row more than the page, to know whether there is a next one. */
function paged<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? cursorOf(items.at(-1)!) : null };
}

/** "1732708800000.123": the newest-first position of an alert (start time, then id). */
function activeCursor(cursor: string | undefined): { at: number; id: number } | undefined {
  const m = cursor ? /^(\d{1,15})\.(\d{1,15})$/.exec(cursor) : null;
  return m ? { at: Number(m[1]), id: Number(m[2]) } : undefined;
}

/**
 * Firing and pending alerts, newest first, one page at a time, with why each is or is
 * not being notified. Silences and inhibition are worked out for the page's alerts only
 * (inhibition still looks at every firing alert as a possible source).
 */
export function activeAlerts(
  db: Db,
  config: OpsdeckConfig,
  opts: { now?: number; limit?: number; after?: string; state?: "firing" | "pending" } = {},
): Page<ActiveAlertView> & { total: number } {
  const now = opts.now ?? Date.now();
  const limit = pageLimit(opts.limit);
  const states = opts.state ? [opts.state] : (["firing", "pending"] as const);
  const after = activeCursor(opts.after);
  const rows = db
    .select()
    .from(alerts)
    .where(
      and(
        inArray(alerts.state, [...states]),
        after
          ? or(
              lt(alerts.activeAt, new Date(after.at)),
              and(eq(alerts.activeAt, new Date(after.at)), lt(alerts.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(alerts.activeAt), desc(alerts.id))
    .limit(limit + 1)
    .all();
  const total = db
    .select({ n: sql<number>`count(*)` })
    .from(alerts)
    .where(inArray(alerts.state, [...states]))
    .get()!.n;
  const page = paged(rows, limit, (last) => `${last.activeAt.getTime()}.${last.id}`);
  const { silenced, inhibited } = holdsOn(db, config, page.items, now);
  const root = routeTree(config.alerts.route);
  const nameOf = alertPeople(db, page.items);
  return {
    total: Number(total),
    next: page.next,
    items: page.items.map((row) => {
      const routes = matchRoutes(root, row.labels);
      const view = toAlertView(row, config, nameOf);
      return {
        ...view,
        silencedBy: silenced.get(row.id) ?? null,
        inhibitedBy: inhibited.get(row.id) ?? null,
        channels: [...new Set(routes.flatMap((r) => r.channels))],
        group: [view.name, row.labels.service, row.labels.environment].filter(Boolean).join(" · "),
      };
    }),
  };
}

export type AlertFilter = {
  rule?: string;
  severity?: string;
  service?: string;
  environment?: string;
  state?: string;
  q?: string;
  /** The cursor: alerts older (lower id) than this one. */
  before?: number;
};

/** Every alert episode, newest first, one page at a time; the cursor is the last id shown. */
export function alertHistory(
  db: Db,
  config: OpsdeckConfig,
  filter: AlertFilter,
  limit = PAGE_SIZE,
): Page<AlertView> {
  const size = pageLimit(limit);
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
  const rows = db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(desc(alerts.id))
    .limit(size + 1)
    .all();
  const page = paged(rows, size, (last) => String(last.id));
  const nameOf = alertPeople(db, page.items);
  return { next: page.next, items: page.items.map((r) => toAlertView(r, config, nameOf)) };
}

export function getAlert(db: Db, id: number) {
  return db.select().from(alerts).where(eq(alerts.id, id)).get();
}

/** An alert's transitions, oldest first, a page at a time; the cursor is the last id shown. */
export function alertTransitionsPage(
  db: Db,
  alertId: number,
  opts: { after?: number; limit?: number },
) {
  const limit = pageLimit(opts.limit);
  const rows = db
    .select()
    .from(alertTransitions)
    .where(
      and(
        eq(alertTransitions.alertId, alertId),
        opts.after ? gt(alertTransitions.id, opts.after) : undefined,
      ),
    )
    .orderBy(alertTransitions.id)
    .limit(limit + 1)
    .all();
  return paged(rows, limit, (last) => String(last.id));
}

/** The notifications that carried an alert, oldest first, a page at a time. */
export function alertNotifications(
  db: Db,
  alertId: number,
  opts: { after?: number; limit?: number },
) {
  const limit = pageLimit(opts.limit);
  const rows = db
    .select()
    .from(notifications)
    .where(
      and(
        sql`exists (select 1 from json_each(${notifications.alertIds}) where value = ${alertId})`,
        opts.after ? gt(notifications.id, opts.after) : undefined,
      ),
    )
    .orderBy(notifications.id)
    .limit(limit + 1)
    .all();
  return paged(rows, limit, (last) => String(last.id));
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

/** Silences, newest first, a page at a time; the cursor is the last id shown. */
export function silenceList(
  db: Db,
  now = Date.now(),
  opts: { before?: number; limit?: number } = {},
) {
  const limit = pageLimit(opts.limit);
  const rows = db
    .select()
    .from(silences)
    .where(opts.before ? lt(silences.id, opts.before) : undefined)
    .orderBy(desc(silences.id))
    .limit(limit + 1)
    .all();
  const page = paged(rows, limit, (last) => String(last.id));
  const items = page.items.map((s) => ({
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
  return { items, next: page.next };
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
