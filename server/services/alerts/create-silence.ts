import "server-only";
import { formatMatcher } from "@/lib/alerts/matchers";
import { createSilenceInput } from "@/lib/schemas/alerts";
import { defineService } from "@/server/services/service";
import { silences } from "@/server/db/schema";

/** Silence (operator): alerts matching every matcher are not notified until it ends. */
export const createSilence = defineService({
  name: "alerts.silence",
  role: "operator",
  input: createSilenceInput,
  run(ctx, input) {
    const startsAt = input.startsAt ? new Date(input.startsAt) : new Date();
    return ctx.commit(
      (out: { silenceId: number }) => ({
        action: "alerts.silence",
        targetType: "silence",
        targetId: String(out.silenceId),
        details: {
          matchers: input.matchers.map(formatMatcher),
          startsAt: startsAt.toISOString(),
          endsAt: input.endsAt,
          comment: input.comment,
        },
      }),
      (tx) => {
        const row = tx
          .insert(silences)
          .values({
            matchers: input.matchers,
            startsAt,
            endsAt: new Date(input.endsAt),
            comment: input.comment,
            createdBy: ctx.requester.name,
          })
          .returning({ id: silences.id })
          .get();
        return { silenceId: row.id };
      },
    );
  },
});
