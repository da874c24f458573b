import "server-only";
import * as Sentry from "@sentry/nextjs";
import { z } from "zod";
import { env } from "@/env";
import { defineService, ServiceError } from "@/server/services/service";

/** Sends one test error to Sentry, so an admin can see that error tracking reaches it. */
export const sendSentryTest = defineService({
  name: "sentry.test",
  role: "admin",
  input: z.strictObject({}),
  async run(ctx) {
    if (!env.SENTRY_DSN)
      throw new ServiceError(409, "Error tracking is off: SENTRY_DSN is not set.");
    const eventId = Sentry.captureException(new Error("Opsdeck test error (sent from Settings)"), {
      tags: { opsdeck_test: "true" },
      extra: { requestedBy: ctx.requester.name },
    });
    const delivered = await Sentry.flush(5000);
    if (!delivered) throw new ServiceError(409, "Sentry did not accept the event within 5 s.");
    return ctx.commit({ action: "sentry.test", details: { eventId } }, () => ({ eventId }));
  },
});
