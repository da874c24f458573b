import "server-only";
import { eq } from "drizzle-orm";
import type { Tx } from "@/server/db";
import { alerts, alertTransitions, users } from "@/server/db/schema";
import { enqueueAckNotice } from "./ack-notice";
import { ServiceError, type ServiceContext } from "@/server/services/service";

export type AckResult = { alertId: number; ackedBy: string | null; already: boolean };

/** How the acknowledgement was given: the Opsdeck page, or a link from a message. */
export type AckVia =
  | { kind: "page" }
  | { kind: "link"; recipient: string; markUsed: (tx: Tx, by: string, at: Date) => void };

/** A person's name as their team knows it: "Olu Operator (operator@example.com)". */
function displayName(ctx: ServiceContext): string {
  if (ctx.actor.kind !== "user") return ctx.requester.name;
  const id = ctx.actor.id;
  const row = ctx.db.select({ name: users.name }).from(users).where(eq(users.id, id)).get();
  return row && row.name !== ctx.actor.email ? `${row.name} (${ctx.actor.email})` : ctx.actor.email;
}

/**
 * The one acknowledgement, whichever way it came: stops escalation and repeats,
 * records the transition (with the note), and tells the channels that were
 * notified of the alert who took it. Already acknowledged: nothing changes.
 */
export function acknowledge(
  ctx: ServiceContext,
  alertId: number,
  note: string | undefined,
  via: AckVia,
): AckResult {
  const row = ctx.db.select().from(alerts).where(eq(alerts.id, alertId)).get();
  if (!row) throw new ServiceError(404, `No alert #${alertId}.`);
  if (row.state !== "firing" && row.state !== "pending")
    throw new ServiceError(
      409,
      `Alert #${row.id} is ${row.state}; only an open alert can be acknowledged.`,
    );
  const viaDetails = via.kind === "link" ? { via: "link", recipient: via.recipient } : {};
  if (row.ackedAt)
    return ctx.commit(
      {
        action: "alerts.ack",
        targetType: "alert",
        targetId: String(row.id),
        details: { already: row.ackedBy, ...viaDetails },
      },
      () => ({ alertId: row.id, ackedBy: row.ackedBy, already: true }),
    );
  const at = new Date();
  return ctx.commit(
    {
      action: "alerts.ack",
      targetType: "alert",
      targetId: String(row.id),
      details: { rule: row.ruleId, note: note ?? null, ...viaDetails },
    },
    (tx) => {
      if (via.kind === "link") via.markUsed(tx, ctx.requester.name, at);
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
          note: note ?? null,
        })
        .run();
      enqueueAckNotice(tx, row.id, displayName(ctx), note, at.getTime());
      return { alertId: row.id, ackedBy: ctx.requester.name, already: false };
    },
  );
}
