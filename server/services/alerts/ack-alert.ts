import "server-only";
import { eq } from "drizzle-orm";
import { ackAlertInput } from "@/lib/schemas/alerts";
import { defineService, ServiceError } from "@/server/services/service";
import { alerts, alertTransitions } from "@/server/db/schema";

/** Acknowledge (operator): I am on it. Stops escalation and repeat notifications. */
export const ackAlert = defineService({
  name: "alerts.ack",
  role: "operator",
  input: ackAlertInput,
  run(ctx, input) {
    const row = ctx.db.select().from(alerts).where(eq(alerts.id, input.alertId)).get();
    if (!row) throw new ServiceError(404, `No alert #${input.alertId}.`);
    if (row.state !== "firing" && row.state !== "pending")
      throw new ServiceError(
        409,
        `Alert #${row.id} is ${row.state}; only an open alert can be acknowledged.`,
      );
    if (row.ackedAt)
      return ctx.commit(
        {
          action: "alerts.ack",
          targetType: "alert",
          targetId: String(row.id),
          details: { already: row.ackedBy },
        },
        () => ({ alertId: row.id, ackedBy: row.ackedBy, already: true }),
      );
    const at = new Date();
    return ctx.commit(
      {
        action: "alerts.ack",
        targetType: "alert",
        targetId: String(row.id),
        details: { rule: row.ruleId },
      },
      (tx) => {
        tx.update(alerts)
          .set({ ackedAt: at, ackedBy: ctx.requester.name, escalationNextAt: null })
          .where(eq(alerts.id, row.id))
          .run();
        tx.insert(alertTransitions)
          .values({
            alertId: row.id,
            at,
            from: row.state,
            to: "acknowledged",
            by: ctx.requester.name,
          })
          .run();
        return { alertId: row.id, ackedBy: ctx.requester.name, already: false };
      },
    );
  },
});
