import "server-only";
import { eq } from "drizzle-orm";
import { postStatusUpdateInput } from "@/lib/schemas/status";
import { statusPagesForAlert } from "@/lib/status-page";
import { getConfig } from "@/server/config";
import { alerts, statusUpdates } from "@/server/db/schema";
import { defineService, ServiceError } from "@/server/services/service";

/**
 * Post a public update on an alert (operator): the alert becomes an incident on the
 * status pages that list its service. Its first update names it; the public never
 * sees the rule's name unless the operator types it.
 */
export const postStatusUpdate = defineService({
  name: "status.post_update",
  role: "operator",
  input: postStatusUpdateInput,
  run(ctx, input) {
    const alert = ctx.db.select().from(alerts).where(eq(alerts.id, input.alertId)).get();
    if (!alert) throw new ServiceError(404, `No alert #${input.alertId}.`);
    const pages = statusPagesForAlert(getConfig().config.statusPages, alert.labels);
    if (pages.length === 0)
      throw new ServiceError(
        422,
        alert.labels.service
          ? `Alert #${alert.id} is about service "${alert.labels.service}"${alert.labels.environment ? ` in ${alert.labels.environment}` : ""}, which no status page shows.`
          : `Alert #${alert.id} is not about one service, so no status page shows it.`,
      );
    const first = ctx.db
      .select({ id: statusUpdates.id })
      .from(statusUpdates)
      .where(eq(statusUpdates.alertId, alert.id))
      .limit(1)
      .get();
    const title = first ? null : input.title || null;
    if (!first && !title)
      throw new ServiceError(400, "The first public update needs a title.", [
        { path: "title", message: "the first public update needs a title" },
      ]);
    const at = new Date();
    const pageIds = pages.map((p) => p.id);
    return ctx.commit(
      {
        action: "status.post_update",
        targetType: "alert",
        targetId: String(alert.id),
        details: { status: input.status, statusPages: pageIds, first: !first },
      },
      (tx) => {
        const row = tx
          .insert(statusUpdates)
          .values({
            alertId: alert.id,
            service: alert.labels.service!,
            statusPages: pageIds,
            status: input.status,
            title,
            message: input.message,
            authorId: ctx.requester.id,
            author: ctx.requester.name,
            at,
          })
          .returning({ id: statusUpdates.id })
          .get();
        return { updateId: row.id, statusPages: pages.map((p) => p.path) };
      },
    );
  },
});
