import "server-only";
import { randomUUID } from "node:crypto";
import { sendTestNotificationInput } from "@/lib/schemas/alerts";
import { enqueueNotification } from "@/server/alerts/dispatch";
import { opsdeckUrl } from "@/server/alerts/payload";
import { defineService, ServiceError } from "@/server/services/service";
import { getConfig } from "@/server/config";

/** "Send test notification" (operator): one message through the outbox, like a real one. */
export const sendTestNotification = defineService({
  name: "alerts.test_notification",
  role: "operator",
  input: sendTestNotificationInput,
  run(ctx, input) {
    const channel = getConfig().config.alerts.channels.find((c) => c.id === input.channelId);
    if (!channel) throw new ServiceError(404, `No channel "${input.channelId}".`);
    const now = Date.now();
    return ctx.commit(
      { action: "alerts.test_notification", targetType: "channel", targetId: channel.id },
      (tx) => {
        enqueueNotification(tx, {
          channels: [channel.id],
          kind: "test",
          dedupeKey: `test:${randomUUID()}`,
          alertIds: [],
          // A paging-only email channel has no list: the test goes to whoever asked for it.
          recipient:
            channel.type === "email" && channel.to.length === 0 && ctx.actor.kind === "user"
              ? ctx.actor.email
              : undefined,
          payload: {
            version: 1,
            kind: "test",
            status: "firing",
            title: `Test notification from Opsdeck (${channel.name ?? channel.id})`,
            severity: "info",
            groupLabels: {},
            url: opsdeckUrl(`/alerts/channels/${channel.id}`),
            alerts: [],
            text: `${ctx.requester.name} sent this test at ${new Date(now).toISOString()}. If you can read it, alerts reach this channel.`,
          },
          now,
        });
        return { channelId: channel.id };
      },
    );
  },
});
