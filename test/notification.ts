import type { NotificationPayload } from "@/server/alerts/payload";

/** A test notification with no alerts in it: enough for a sender to deliver. */
export const testPayload: NotificationPayload = {
  version: 1,
  kind: "test",
  status: "firing",
  title: "test",
  severity: "info",
  groupLabels: {},
  url: "http://opsdeck.test",
  alerts: [],
};
