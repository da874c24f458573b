import "server-only";
import { eq } from "drizzle-orm";
import { ackAlertByLinkInput } from "@/lib/schemas/alerts";
import { defineService, ServiceError } from "@/server/services/service";
import { acknowledge } from "@/server/alerts/acknowledge";
import { ackLinkRefusal, hashAckToken, verifyAckToken } from "@/server/alerts/ack-link";
import { ackLinkUses } from "@/server/db/schema";

/**
 * Acknowledge from the link in a Slack message or an email (operator, signed in):
 * the same acknowledgement as on the alert's page, audited with `via: "link"`. The
 * link works once and until it expires; a used, expired or altered link changes nothing.
 */
export const ackAlertByLink = defineService({
  name: "alerts.ack",
  role: "operator",
  input: ackAlertByLinkInput,
  run(ctx, input) {
    const verdict = verifyAckToken(input.token);
    if (!verdict.ok) throw new ServiceError(400, ackLinkRefusal(verdict.reason));
    const { claims } = verdict;
    const tokenHash = hashAckToken(input.token);
    const used = ctx.db
      .select()
      .from(ackLinkUses)
      .where(eq(ackLinkUses.tokenHash, tokenHash))
      .get();
    if (used) throw new ServiceError(409, ackLinkRefusal("used"));
    return acknowledge(ctx, claims.alertId, input.note, {
      kind: "link",
      recipient: claims.recipient,
      markUsed(tx, by, at) {
        const res = tx
          .insert(ackLinkUses)
          .values({
            tokenHash,
            alertId: claims.alertId,
            recipient: claims.recipient,
            usedBy: by,
            usedAt: at,
            expiresAt: new Date(claims.expiresAt),
          })
          .onConflictDoNothing()
          .run();
        // Two clicks at once: the second finds the first's row and is refused.
        if (res.changes === 0) throw new ServiceError(409, ackLinkRefusal("used"));
      },
    });
  },
});
