import "server-only";
import { ackAlertInput } from "@/lib/schemas/alerts";
import { defineService } from "@/server/services/service";
import { acknowledge } from "@/server/alerts/acknowledge";

/** Acknowledge (operator): I am on it. Stops escalation and repeat notifications. */
export const ackAlert = defineService({
  name: "alerts.ack",
  role: "operator",
  input: ackAlertInput,
  run(ctx, input) {
    return acknowledge(ctx, input.alertId, input.note, { kind: "page" });
  },
});
