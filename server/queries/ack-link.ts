import "server-only";
import { eq } from "drizzle-orm";
import type { AlertView } from "@/lib/alerts/view";
import { ackLinkRefusal, hashAckToken, verifyAckToken } from "@/server/alerts/ack-link";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { ackLinkUses } from "@/server/db/schema";
import { alertPeople, getAlert, toAlertView } from "./alerts";

/** What the acknowledge-link page shows: the alert and the form, or why the link does nothing. */
export type AckLinkView =
  | { kind: "refused"; message: string; alertId?: number }
  | { kind: "closed"; alert: AlertView }
  | { kind: "acked"; alert: AlertView }
  | { kind: "ready"; alert: AlertView; recipient: string };

/**
 * Reads a link; changes nothing. For any signed-in user (every role may read alerts):
 * the page checks the session, offers the form to operators only, and the action
 * checks the role again.
 */
export function ackLinkView(
  db: Db,
  config: OpsdeckConfig,
  token: string,
  now = Date.now(),
): AckLinkView {
  const verdict = verifyAckToken(token, now);
  if (!verdict.ok)
    return {
      kind: "refused",
      message: ackLinkRefusal(verdict.reason),
      alertId: verdict.claims?.alertId,
    };
  const { alertId } = verdict.claims;
  const used = db
    .select({ usedBy: ackLinkUses.usedBy, usedAt: ackLinkUses.usedAt })
    .from(ackLinkUses)
    .where(eq(ackLinkUses.tokenHash, hashAckToken(token)))
    .get();
  if (used) return { kind: "refused", message: ackLinkRefusal("used"), alertId };
  const row = getAlert(db, alertId);
  if (!row) return { kind: "refused", message: `Alert #${alertId} no longer exists.` };
  const alert = toAlertView(row, config, alertPeople(db, [row]));
  if (row.state !== "firing" && row.state !== "pending") return { kind: "closed", alert };
  if (row.ackedAt) return { kind: "acked", alert };
  return { kind: "ready", alert, recipient: verdict.claims.recipient };
}
