import "server-only";
import { and, desc, eq, inArray, notInArray, or } from "drizzle-orm";
import { fingerprint, type Labels } from "@/lib/alerts/matchers";
import type { AlertRuleConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db, Tx } from "@/server/db";
import { alerts, alertTransitions, type AlertRow } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { evaluateCondition } from "./conditions/registry";
import { EVENT_SETTLE_MS } from "./conditions/events";
import { EVENT_CONDITIONS, type Instance } from "./conditions/types";
import { stepAlert, type Episode } from "./state";

/** The labels an alert carries: what its condition found, the rule's own, and the rule's identity. */
export function alertLabels(rule: AlertRuleConfig, instance: Instance): Labels {
  return {
    ...instance.labels,
    ...rule.labels,
    alertname: rule.id,
    severity: rule.severity,
    condition: rule.condition.type,
  };
}

export type EvaluationResult = {
  rules: number;
  active: number;
  transitions: number;
  errors: number;
};

const OPEN = or(inArray(alerts.state, ["pending", "firing"]), eq(alerts.holdUntilClear, true));

/**
 * Evaluates every rule once and stores what changed, with one transition row per
 * change, in one transaction. A rule whose evaluator throws keeps its alerts as they
 * are: an error reading the data is not evidence that the problem went away.
 */
export function evaluateRules(db: Db, config: OpsdeckConfig, now: number): EvaluationResult {
  const result: EvaluationResult = { rules: 0, active: 0, transitions: 0, errors: 0 };
  const found = new Map<string, { rule: AlertRuleConfig; instances: Map<string, Instance> }>();
  const events: { rule: AlertRuleConfig; instances: Instance[]; until: number }[] = [];
  for (const rule of config.alerts.rules) {
    if (EVENT_CONDITIONS.has(rule.condition.type)) {
      try {
        const since = lastReported(db, rule.id);
        const ctx = { db, config, now, live: true, since: since ?? undefined };
        const instances = evaluateCondition(rule.condition, ctx).map((i) => ({
          ...i,
          labels: alertLabels(rule, i),
        }));
        events.push({ rule, instances, until: now - EVENT_SETTLE_MS });
        result.rules++;
      } catch (err) {
        result.errors++;
        logger.error({ error: err, context: { rule: rule.id } }, "alert rule evaluation failed");
      }
      continue;
    }
    try {
      const instances = new Map<string, Instance>();
      for (const instance of evaluateCondition(rule.condition, {
        db,
        config,
        now,
        live: true,
      })) {
        const labels = alertLabels(rule, instance);
        instances.set(fingerprint(labels), { ...instance, labels });
      }
      found.set(rule.id, { rule, instances });
      result.rules++;
      result.active += instances.size;
    } catch (err) {
      result.errors++;
      logger.error({ error: err, context: { rule: rule.id } }, "alert rule evaluation failed");
    }
  }

  db.transaction(
    (tx) => {
      const transition = (alertId: number, from: string, to: string, note?: string) => {
        tx.insert(alertTransitions)
          .values({ alertId, at: new Date(now), from, to, note })
          .run();
        result.transitions++;
      };
      // Alerts of rules that were removed from the config end now.
      const ruleIds = config.alerts.rules.map((r) => r.id);
      for (const row of tx
        .select()
        .from(alerts)
        .where(and(OPEN, notInArray(alerts.ruleId, ruleIds)))
        .all()) {
        closeRow(tx, row, now, transition, "the rule was removed from the configuration");
      }

      for (const { rule, instances, until } of events) {
        // Episodes an event rule left open before events were notifications end as events.
        for (const row of tx
          .select()
          .from(alerts)
          .where(and(eq(alerts.ruleId, rule.id), OPEN))
          .all()) {
          tx.update(alerts)
            .set({
              state: "event",
              holdUntilClear: false,
              escalationNextAt: null,
              notifiedAt: new Date(now),
            })
            .where(eq(alerts.id, row.id))
            .run();
          transition(row.id, row.state, "event", "event rules send notifications, not alerts");
        }
        for (const instance of instances) {
          // lastActiveAt keeps how far the events were counted: the next `since`.
          const inserted = tx
            .insert(alerts)
            .values({
              ruleId: rule.id,
              fingerprint: fingerprint(instance.labels),
              labels: instance.labels,
              severity: rule.severity,
              summary: instance.summary,
              value: instance.value ?? null,
              state: "event",
              activeAt: new Date(now),
              lastActiveAt: new Date(until),
              firedAt: new Date(now),
            })
            .returning({ id: alerts.id })
            .get();
          transition(inserted.id, "inactive", "event");
        }
      }

      for (const { rule, instances } of found.values()) {
        const open = new Map(
          tx
            .select()
            .from(alerts)
            .where(and(eq(alerts.ruleId, rule.id), OPEN))
            .all()
            .map((r) => [r.fingerprint, r]),
        );
        const timing = { forMs: rule.for, keepFiringForMs: rule.keepFiringFor };
        for (const fp of new Set([...open.keys(), ...instances.keys()])) {
          const row = open.get(fp);
          const instance = instances.get(fp);
          if (row?.holdUntilClear) {
            // Resolved by hand while still true: wait for the condition to clear first.
            if (!instance)
              tx.update(alerts).set({ holdUntilClear: false }).where(eq(alerts.id, row.id)).run();
            continue;
          }
          const prev: Episode | null = row
            ? {
                state: row.state as Episode["state"],
                activeAt: row.activeAt.getTime(),
                lastActiveAt: row.lastActiveAt.getTime(),
                firedAt: row.firedAt?.getTime() ?? null,
              }
            : null;
          const step = stepAlert(prev, instance !== undefined, now, timing);
          const details = instance
            ? {
                summary: instance.summary,
                value: instance.value ?? null,
                severity: rule.severity,
                labels: instance.labels,
              }
            : {};
          switch (step.kind) {
            case "none":
              break;
            case "start": {
              const inserted = tx
                .insert(alerts)
                .values({
                  ruleId: rule.id,
                  fingerprint: fp,
                  labels: instance!.labels,
                  severity: rule.severity,
                  summary: instance!.summary,
                  value: instance!.value ?? null,
                  state: step.to,
                  activeAt: new Date(step.episode.activeAt),
                  lastActiveAt: new Date(now),
                  firedAt: step.episode.firedAt ? new Date(step.episode.firedAt) : null,
                })
                .returning({ id: alerts.id })
                .get();
              transition(inserted.id, "inactive", step.to);
              break;
            }
            case "fire":
              tx.update(alerts)
                .set({
                  ...details,
                  state: "firing",
                  firedAt: new Date(now),
                  lastActiveAt: new Date(now),
                })
                .where(eq(alerts.id, row!.id))
                .run();
              transition(row!.id, "pending", "firing");
              break;
            case "touch":
              tx.update(alerts)
                .set({ ...details, lastActiveAt: new Date(now) })
                .where(eq(alerts.id, row!.id))
                .run();
              break;
            case "clear":
            case "resolve":
              closeRow(tx, row!, now, transition);
              break;
          }
        }
      }
    },
    { behavior: "immediate" },
  );
  return result;
}

/** Up to when the newest event of a rule was counted (null: it has reported none). */
function lastReported(db: Db, ruleId: string): number | null {
  // Event rows are written in time order, so the newest one (by the rule's index) has it.
  const row = db
    .select({ until: alerts.lastActiveAt })
    .from(alerts)
    .where(and(eq(alerts.ruleId, ruleId), eq(alerts.state, "event")))
    .orderBy(desc(alerts.firedAt))
    .limit(1)
    .get();
  return row?.until.getTime() ?? null;
}

function closeRow(
  tx: Tx,
  row: AlertRow,
  now: number,
  transition: (id: number, from: string, to: string, note?: string) => void,
  note?: string,
): void {
  if (row.holdUntilClear && row.state === "resolved") {
    tx.update(alerts).set({ holdUntilClear: false }).where(eq(alerts.id, row.id)).run();
    return;
  }
  const to = row.state === "pending" ? "inactive" : "resolved";
  tx.update(alerts)
    .set({ state: to, resolvedAt: new Date(now), escalationNextAt: null })
    .where(eq(alerts.id, row.id))
    .run();
  transition(row.id, row.state, to, note);
}
