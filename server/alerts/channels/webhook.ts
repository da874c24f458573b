import "server-only";
import type { ChannelConfig } from "@/server/config/schema";
import { signWebhook } from "@/server/deployments/providers/webhook";
import type { NotificationPayload } from "../payload";
import { httpFailure, networkFailure, type Outcome } from "./outcome";

type WebhookChannel = Extract<ChannelConfig, { type: "webhook" }>;

/**
 * A signed JSON POST. The receiver checks X-Opsdeck-Signature (HMAC-SHA256 of
 * "<timestamp>.<body>") and can drop repeats by X-Opsdeck-Notification-Id.
 */
export async function sendWebhook(
  channel: WebhookChannel,
  p: NotificationPayload,
  notificationId: number,
  recipient: string | null,
): Promise<Outcome> {
  const body = JSON.stringify({ id: notificationId, recipient, ...p });
  const timestamp = String(Math.floor(Date.now() / 1000));
  let res: Response;
  try {
    res = await fetch(channel.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Opsdeck-Notifier",
        "x-opsdeck-timestamp": timestamp,
        "x-opsdeck-signature": signWebhook(channel.secret.reveal(), timestamp, body),
        "x-opsdeck-notification-id": String(notificationId),
      },
      body,
      signal: AbortSignal.timeout(channel.timeout),
      redirect: "error",
    });
  } catch (err) {
    return networkFailure(err);
  }
  const text = await res.text().catch(() => "");
  if (res.ok) return { ok: true };
  return httpFailure(res.status, text, res.headers.get("retry-after"));
}
