import "server-only";
import { eq } from "drizzle-orm";
import { resolveAlertInput } from "@/lib/schemas/alerts";
import { defineService, ServiceError } from "@/server/services/service";
import { alerts, alertTransitions } from "@/server/db/schema";

/**
 * Resolve by hand (operator), optionally as a false positive. If the condition still
 * holds, no new alert starts until it has cleared once: resolving means "handled".
 */
export const resolveAlert = defineService({
  name: "alerts.resolve",
  role: "operator",
  input: resolveAlertInput,
  run(ctx, input) {
    const row = ctx.db.select().from(alerts).where(eq(alerts.id, input.alertId)).get();
    if (!row) throw new ServiceError(404, `No alert #${input.alertId}.`);
    const at = new Date();
    if (row.state === "resolved") {
      // Marking an alert that resolved by itself as a false positive afterwards.
      if (!input.falsePositive || row.falsePositive)
        throw new ServiceError(409, `Alert #${row.id} is already resolved.`);
      return ctx.commit(
        {
          action: "alerts.false_positive",
          targetType: "alert",
          targetId: String(row.id),
          details: { rule: row.ruleId, note: input.note },
        },
        (tx) => {
          tx.update(alerts).set({ falsePositive: true }).where(eq(alerts.id, row.id)).run();
          tx.insert(alertTransitions)
            .values({
              alertId: row.id,
              at,
              from: "resolved",
              to: "resolved",
              by: ctx.requester.name,
              note: `marked a false positive${input.note ? `: ${input.note}` : ""}`,
            })
            .run();
          return { alertId: row.id, state: "resolved" as const };
        },
      );
    }
    if (row.state !== "firing" && row.state !== "pending")
      throw new ServiceError(409, `Alert #${row.id} is ${row.state}.`);
    return ctx.commit(
      {
        action: "alerts.resolve",
        targetType: "alert",
        targetId: String(row.id),
        details: { rule: row.ruleId, falsePositive: input.falsePositive, note: input.note },
      },
      (tx) => {
        tx.update(alerts)
          .set({
            state: "resolved",
            resolvedAt: at,
            resolvedBy: ctx.requester.name,
            falsePositive: input.falsePositive,
            holdUntilClear: true,
            escalationNextAt: null,
          })
          .where(eq(alerts.id, row.id))
          .run();
        tx.insert(alertTransitions)
          .values({
            alertId: row.id,
            at,
            from: row.state,
            to: "resolved",
            by: ctx.requester.name,
            note:
              [input.falsePositive ? "false positive" : null, input.note]
                .filter(Boolean)
                .join(": ") || null,
          })
          .run();
        return { alertId: row.id, state: "resolved" as const };
      },
    );
  },
});
