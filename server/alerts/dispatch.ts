import "server-only";
import { and, eq, gt, gte, inArray, isNotNull, isNull, like, lte, or } from "drizzle-orm";
import type { Labels } from "@/lib/alerts/matchers";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db, DbOrTx, Tx } from "@/server/db";
import {
  alertGroups,
  alerts,
  alertTransitions,
  notifications,
  silences,
  type AlertRow,
} from "@/server/db/schema";
import { onCallNow } from "@/server/oncall/schedules";
import { inhibitedIds, planGroup, silencedBy } from "./notify-policy";
import {
  groupTitle,
  payloadAlert,
  worstSeverity,
  opsdeckUrl,
  type NotificationPayload,
} from "./payload";
import { routeTree, findRoute, groupOf, matchRoutes, type RouteNode } from "./routing";

export type DispatchResult = { flushed: number; notifications: number; escalations: number };

/** Adds one outbox row per channel; a row with the same dedupe key is never added twice. */
export function enqueueNotification(
  tx: DbOrTx,
  n: {
    channels: string[];
    kind: NotificationPayload["kind"];
    dedupeKey: string;
    groupKey?: string;
    alertIds: number[];
    payload: NotificationPayload;
    recipient?: string;
    now: number;
  },
): number {
  let added = 0;
  for (const channelId of n.channels) {
    const res = tx
      .insert(notifications)
      .values({
        channelId,
        kind: n.kind,
        dedupeKey: n.dedupeKey,
        groupKey: n.groupKey ?? null,
        alertIds: n.alertIds,
        payload: n.payload,
        recipient: n.recipient ?? null,
        nextAttemptAt: new Date(n.now),
        createdAt: new Date(n.now),
      })
      .onConflictDoNothing()
      .run();
    added += res.changes;
  }
  return added;
}

function activeSilences(db: DbOrTx, now: number) {
  return db
    .select()
    .from(silences)
    .where(and(gt(silences.endsAt, new Date(now)), lte(silences.startsAt, new Date(now))))
    .all();
}

/**
 * Which of `rows` are silenced (by which silence) or inhibited (by which alert) now.
 * Every firing alert can inhibit, so those are read, but only their labels.
 */
export function holdsOn(
  db: DbOrTx,
  config: OpsdeckConfig,
  rows: readonly AlertRow[],
  now: number,
): { silenced: Map<number, number>; inhibited: Map<number, number> } {
  const silenced = new Map<number, number>();
  const inhibited = new Map<number, number>();
  const firing = rows.filter((a) => a.state === "firing");
  if (firing.length === 0) return { silenced, inhibited };
  const active = activeSilences(db, now);
  for (const a of firing) {
    const s = silencedBy(a.labels, active, now);
    if (s) silenced.set(a.id, s.id);
  }
  if (config.alerts.inhibitRules.length > 0) {
    const sources = db
      .select({ id: alerts.id, labels: alerts.labels })
      .from(alerts)
      .where(eq(alerts.state, "firing"))
      .all();
    for (const [id, by] of inhibitedIds(sources, config.alerts.inhibitRules, firing))
      inhibited.set(id, by);
  }
  return { silenced, inhibited };
}

/** Alerts that take part in notifications now: firing, neither silenced nor inhibited. */
export function notifiableFiring(
  db: DbOrTx,
  config: OpsdeckConfig,
  now: number,
): {
  firing: AlertRow[];
  notifiable: AlertRow[];
  silenced: Map<number, number>;
  inhibited: Map<number, number>;
} {
  const firing = db.select().from(alerts).where(eq(alerts.state, "firing")).all();
  const active = activeSilences(db, now);
  const silenced = new Map<number, number>();
  for (const a of firing) {
    const s = silencedBy(a.labels, active, now);
    if (s) silenced.set(a.id, s.id);
  }
  const inhibited = inhibitedIds(firing, config.alerts.inhibitRules);
  const notifiable = firing.filter((a) => !silenced.has(a.id) && !inhibited.has(a.id));
  return { firing, notifiable, silenced, inhibited };
}

/**
 * Turns alert state into notifications: routes each notifiable alert, keeps each
 * group's notification log, and writes the outbox rows in the same transaction as
 * the log, so a crash either sends a flush completely or not at all.
 */
export function dispatch(db: Db, config: OpsdeckConfig, now: number): DispatchResult {
  const result: DispatchResult = { flushed: 0, notifications: 0, escalations: 0 };
  const root = routeTree(config.alerts.route);
  const rules = new Map(config.alerts.rules.map((r) => [r.id, r]));
  db.transaction(
    (tx) => {
      const { notifiable, silenced, inhibited } = notifiableFiring(tx, config, now);
      const wanted = new Map<string, { route: RouteNode; labels: Labels; ids: number[] }>();
      for (const alert of notifiable) {
        for (const route of matchRoutes(root, alert.labels)) {
          if (route.digest) continue;
          const g = groupOf(route, alert.labels);
          const entry = wanted.get(g.key) ?? { route, labels: g.labels, ids: [] };
          entry.ids.push(alert.id);
          wanted.set(g.key, entry);
        }
      }
      const stored = new Map(
        tx
          .select()
          .from(alertGroups)
          .all()
          .filter((g) => !g.key.startsWith(EVENT_GROUP))
          .map((g) => [g.key, g]),
      );
      const mentioned = [...new Set([...stored.values()].flatMap((g) => g.notified))];
      const byId = new Map<number, AlertRow>(
        [
          ...notifiable,
          ...(mentioned.length
            ? tx.select().from(alerts).where(inArray(alerts.id, mentioned)).all()
            : []),
        ].map((a) => [a.id, a]),
      );
      const isResolved = (id: number) => byId.get(id)?.state === "resolved";

      // With two matching routes that escalate, the first one's policy applies.
      const escalating = new Set<number>();
      for (const key of new Set([...wanted.keys(), ...stored.keys()])) {
        const want = wanted.get(key);
        const row = stored.get(key);
        const route = want?.route ?? (row ? findRoute(root, row.route) : undefined);
        if (!route) {
          // The route left the config: forget the group.
          tx.delete(alertGroups).where(eq(alertGroups.key, key)).run();
          continue;
        }
        const firing = want?.ids ?? [];
        const needsRepeat = firing.some((id) => !byId.get(id)?.ackedAt);
        let state = row
          ? {
              notified: row.notified,
              lastFlushAt: row.lastFlushAt?.getTime() ?? null,
              nextFlushAt: row.nextFlushAt.getTime(),
            }
          : null;
        let plan = planGroup(state, firing, isResolved, now, route, needsRepeat);
        if (plan.action === "create") {
          tx.insert(alertGroups)
            .values({
              key,
              route: route.id,
              labels: want!.labels,
              createdAt: new Date(now),
              notified: [],
              nextFlushAt: new Date(plan.nextFlushAt),
            })
            .run();
          state = { notified: [], lastFlushAt: null, nextFlushAt: plan.nextFlushAt };
          // A route with no group wait sends at once.
          plan = planGroup(state, firing, isResolved, now, route, needsRepeat);
        }
        if (plan.action === "delete") {
          tx.delete(alertGroups).where(eq(alertGroups.key, key)).run();
          continue;
        }
        if (plan.action !== "flush") continue;

        const flushes = (row?.flushes ?? 0) + 1;
        // A group's log is deleted when it ends; its next lifetime must not reuse its keys.
        const lifetime = row?.createdAt.getTime() ?? now;
        const members = [...plan.firing, ...plan.resolved]
          .map((id) => byId.get(id))
          .filter((a): a is AlertRow => Boolean(a));
        const list = members.map((a) => payloadAlert(a, rules.get(a.ruleId)));
        const status = plan.firing.length > 0 ? "firing" : "resolved";
        const groupLabels = want?.labels ?? row!.labels;
        const payload: NotificationPayload = {
          version: 1,
          kind: status,
          status,
          title: groupTitle(status, list, groupLabels),
          severity: worstSeverity(list),
          groupLabels,
          url: opsdeckUrl("/alerts"),
          alerts: list,
        };
        result.notifications += enqueueNotification(tx, {
          channels: route.channels,
          kind: status,
          dedupeKey: `group:${key}:${lifetime}:${flushes}`,
          groupKey: key,
          alertIds: members.map((a) => a.id),
          payload,
          now,
        });
        result.flushed++;
        if (plan.last) {
          tx.delete(alertGroups).where(eq(alertGroups.key, key)).run();
        } else {
          tx.update(alertGroups)
            .set({
              notified: plan.firing,
              lastFlushAt: new Date(now),
              nextFlushAt: new Date(plan.nextFlushAt),
              flushes,
            })
            .where(eq(alertGroups.key, key))
            .run();
        }
        // Escalation starts with the first notification of an unacknowledged alert.
        if (route.escalation) {
          for (const id of plan.firing) {
            const a = byId.get(id);
            if (!a || a.ackedAt || a.escalationPolicy || escalating.has(id)) continue;
            escalating.add(id);
            tx.update(alerts)
              .set({
                escalationPolicy: route.escalation,
                escalationLevel: -1,
                escalationRound: 0,
                escalationNextAt: new Date(now),
              })
              .where(eq(alerts.id, id))
              .run();
          }
        }
      }
      result.notifications += dispatchEvents(tx, root, rules, now);
      // A silenced or inhibited alert pages nobody; its escalation waits where it is.
      const held = new Set([...silenced.keys(), ...inhibited.keys()]);
      result.escalations += escalate(tx, config, now, rules, held);
    },
    { behavior: "immediate" },
  );
  return result;
}

const EVENT_GROUP = "event|";

/**
 * Sends events (rows of event rules) once through the routing tree: each route's events
 * are grouped as alerts are (groupBy), the first message of a group waits groupWait and
 * the next ones groupInterval, so a flood is a few messages with counts. An event is
 * never escalated, resolved or repeated, and needs no acknowledgement; a silence holds
 * it back (it is not sent later). Group logs are kept under "event|" keys.
 */
function dispatchEvents(
  tx: Tx,
  root: RouteNode,
  rules: Map<string, OpsdeckConfig["alerts"]["rules"][number]>,
  now: number,
): number {
  const groups = new Map(
    tx
      .select()
      .from(alertGroups)
      .where(like(alertGroups.key, `${EVENT_GROUP}%`))
      .all()
      .map((g) => [g.key, g]),
  );
  const oldestGroup = Math.min(...[...groups.values()].map((g) => g.createdAt.getTime()));
  const candidates = tx
    .select()
    .from(alerts)
    .where(
      and(
        eq(alerts.state, "event"),
        Number.isFinite(oldestGroup)
          ? or(isNull(alerts.notifiedAt), gte(alerts.activeAt, new Date(oldestGroup)))
          : isNull(alerts.notifiedAt),
      ),
    )
    .all();
  if (candidates.length === 0 && groups.size === 0) return 0;
  const active = activeSilences(tx, now);
  const handled: number[] = [];
  const due = new Map<string, { route: RouteNode; labels: Labels; rows: AlertRow[] }>();
  for (const row of candidates) {
    const silence = row.notifiedAt ? undefined : silencedBy(row.labels, active, now);
    if (silence) {
      handled.push(row.id);
      tx.insert(alertTransitions)
        .values({
          alertId: row.id,
          at: new Date(now),
          from: "event",
          to: "event",
          note: `not sent: silenced by silence #${silence.id}`,
        })
        .run();
      continue;
    }
    for (const route of matchRoutes(root, row.labels)) {
      if (route.digest) continue;
      const g = groupOf(route, row.labels);
      const key = `${EVENT_GROUP}${g.key}`;
      const log = groups.get(key);
      const pending = log
        ? row.activeAt >= log.createdAt && (!log.lastFlushAt || row.activeAt > log.lastFlushAt)
        : row.notifiedAt === null;
      if (!pending) continue;
      const entry = due.get(key) ?? { route, labels: g.labels, rows: [] };
      entry.rows.push(row);
      due.set(key, entry);
    }
    // Routes without channels (or none at all) send nothing: handled all the same.
    if (!row.notifiedAt) handled.push(row.id);
  }
  let added = 0;
  const sent = new Set<number>();
  const waiting = new Set<number>();
  for (const key of new Set([...groups.keys(), ...due.keys()])) {
    const want = due.get(key);
    let log = groups.get(key);
    if (!want) {
      // Quiet for a whole interval after its last message: the group ends.
      if (log && now >= log.nextFlushAt.getTime())
        tx.delete(alertGroups).where(eq(alertGroups.key, key)).run();
      continue;
    }
    if (!log) {
      const createdAt = new Date(Math.min(...want.rows.map((r) => r.activeAt.getTime())));
      log = tx
        .insert(alertGroups)
        .values({
          key,
          route: want.route.id,
          labels: want.labels,
          createdAt,
          notified: [],
          nextFlushAt: new Date(now + want.route.groupWait),
        })
        .returning()
        .get();
    }
    if (now < log.nextFlushAt.getTime()) {
      for (const r of want.rows) waiting.add(r.id);
      continue;
    }
    const flushes = log.flushes + 1;
    const list = want.rows.map((a) => payloadAlert(a, rules.get(a.ruleId)));
    const payload: NotificationPayload = {
      version: 1,
      kind: "event",
      status: "event",
      title: groupTitle("event", list, want.labels),
      severity: worstSeverity(list),
      groupLabels: want.labels,
      url: opsdeckUrl("/alerts?tab=history"),
      alerts: list,
    };
    added += enqueueNotification(tx, {
      channels: want.route.channels,
      kind: "event",
      dedupeKey: `${key}:${log.createdAt.getTime()}:${flushes}`,
      groupKey: key,
      alertIds: want.rows.map((a) => a.id),
      payload,
      now,
    });
    for (const r of want.rows) sent.add(r.id);
    tx.update(alertGroups)
      .set({
        notified: want.rows.map((a) => a.id),
        lastFlushAt: new Date(now),
        nextFlushAt: new Date(now + want.route.groupInterval),
        flushes,
      })
      .where(eq(alertGroups.key, key))
      .run();
  }
  // Handed to its routes once every route that waits for it has had its turn.
  const done = handled.filter((id) => sent.has(id) || !waiting.has(id));
  if (done.length > 0)
    tx.update(alerts)
      .set({ notifiedAt: new Date(now) })
      .where(and(inArray(alerts.id, done), isNull(alerts.notifiedAt)))
      .run();
  return added;
}

/**
 * Pages the next level of each firing, unacknowledged alert whose ack timeout ran
 * out: level 0 first, then each level in turn, then again from level 0 up to the
 * policy's `repeat` rounds. Each page is an outbox row with its own dedupe key.
 */
function escalate(
  tx: Tx,
  config: OpsdeckConfig,
  now: number,
  rules: Map<string, OpsdeckConfig["alerts"]["rules"][number]>,
  held: Set<number>,
): number {
  let pages = 0;
  const due = tx
    .select()
    .from(alerts)
    .where(
      and(
        eq(alerts.state, "firing"),
        isNull(alerts.ackedAt),
        isNotNull(alerts.escalationNextAt),
        lte(alerts.escalationNextAt, new Date(now)),
      ),
    )
    .all();
  for (const a of due) {
    if (held.has(a.id)) continue;
    const policy = config.oncall.escalationPolicies.find((p) => p.id === a.escalationPolicy);
    if (!policy) {
      tx.update(alerts).set({ escalationNextAt: null }).where(eq(alerts.id, a.id)).run();
      continue;
    }
    let level = (a.escalationLevel ?? -1) + 1;
    let round = a.escalationRound ?? 0;
    if (level >= policy.levels.length) {
      level = 0;
      round++;
    }
    if (round > policy.repeat) {
      tx.update(alerts).set({ escalationNextAt: null }).where(eq(alerts.id, a.id)).run();
      continue;
    }
    const step = policy.levels[level]!;
    const people = [
      ...new Set(
        step.notify.flatMap((t) => {
          if ("user" in t) return [t.user];
          const schedule = config.oncall.schedules.find((s) => s.id === t.schedule);
          const person = schedule ? onCallNow(tx, schedule, now).now?.person : undefined;
          return person ? [person] : [];
        }),
      ),
    ];
    const alert = payloadAlert(a, rules.get(a.ruleId));
    const payload: NotificationPayload = {
      version: 1,
      kind: "escalation",
      status: "firing",
      title: `[PAGE] ${alert.name}${round > 0 || level > 0 ? ` (not acknowledged, level ${level + 1})` : ""}`,
      severity: a.severity,
      groupLabels: {},
      url: opsdeckUrl("/alerts"),
      alerts: [alert],
      page: { people, level, round, ackTimeoutMs: policy.ackTimeout },
    };
    const dedupe = `escalation:${a.id}:${round}:${level}`;
    for (const channelId of step.channels) {
      const channel = config.alerts.channels.find((c) => c.id === channelId);
      // Email reaches each person at their own address; other channels mention them.
      // Nobody on call: an email channel falls back to its own list.
      const recipients =
        channel?.type === "email" ? (people.length ? people : channel.to) : [undefined];
      if (recipients.length === 0) {
        tx.insert(alertTransitions)
          .values({
            alertId: a.id,
            at: new Date(now),
            from: "firing",
            to: "firing",
            note: `escalation level ${level + 1}: nobody to page through ${channelId} (no one on call, and the channel has no addresses)`,
          })
          .run();
        continue;
      }
      for (const person of recipients)
        pages += enqueueNotification(tx, {
          channels: [channelId],
          kind: "escalation",
          dedupeKey: person ? `${dedupe}:${person}` : dedupe,
          alertIds: [a.id],
          payload,
          recipient: person,
          now,
        });
    }
    tx.update(alerts)
      .set({
        escalationLevel: level,
        escalationRound: round,
        escalationNextAt: new Date(now + policy.ackTimeout),
      })
      .where(eq(alerts.id, a.id))
      .run();
  }
  return pages;
}
