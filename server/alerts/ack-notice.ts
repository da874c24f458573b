import "server-only";
import { and, desc, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/server/db";
import { notifications } from "@/server/db/schema";
import { enqueueNotification } from "./dispatch";
import type { NotificationPayload, PayloadAlert } from "./payload";

/** Enough to find every channel that heard of one alert, without reading the whole outbox. */
const NOTIFIED_ROWS_LIMIT = 200;

/**
 * "Acknowledged by <name>: <note>", once, to every channel (and paged person) that
 * was told of the alert, through the outbox so that delivery is retried. Not part of
 * any group: it never repeats and never resolves. Returns how many rows it added.
 */
export function enqueueAckNotice(
  tx: Tx,
  alertId: number,
  who: string,
  note: string | undefined,
  now: number,
): number {
  const told = tx
    .select({
      channelId: notifications.channelId,
      recipient: notifications.recipient,
      payload: notifications.payload,
    })
    .from(notifications)
    .where(
      and(
        inArray(notifications.kind, ["firing", "escalation"]),
        inArray(notifications.status, ["sent", "pending"]),
        sql`exists (select 1 from json_each(${notifications.alertIds}) where value = ${alertId})`,
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(NOTIFIED_ROWS_LIMIT)
    .all();
  if (told.length === 0) return 0;
  // The newest message's view of the alert (its name, labels, link).
  const alert = told
    .map((r) => (r.payload as NotificationPayload).alerts.find((a) => a.id === alertId))
    .find((a): a is PayloadAlert => Boolean(a));
  if (!alert) return 0;
  const said = note ? `Acknowledged by ${who}: ${note}` : `Acknowledged by ${who}.`;
  const payload: NotificationPayload = {
    version: 1,
    kind: "ack",
    status: "firing",
    title: `Acknowledged by ${who}: ${alert.name}`,
    severity: alert.severity,
    groupLabels: {},
    url: alert.url,
    alerts: [{ ...alert, status: "firing" }],
    text: said,
  };
  const seen = new Set<string>();
  let added = 0;
  for (const r of told) {
    const key = `${r.channelId}\n${r.recipient ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    added += enqueueNotification(tx, {
      channels: [r.channelId],
      kind: "ack",
      dedupeKey: `ack:${alertId}${r.recipient ? `:${r.recipient}` : ""}`,
      alertIds: [alertId],
      payload,
      recipient: r.recipient ?? undefined,
      now,
    });
  }
  return added;
}
