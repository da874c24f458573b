import "server-only";
import { createOverrideInput } from "@/lib/schemas/alerts";
import { defineService, ServiceError } from "@/server/services/service";
import { getConfig } from "@/server/config";
import { oncallOverrides, users } from "@/server/db/schema";
import { rosterOf } from "@/server/oncall/schedules";

/** Override (operator): someone else is on call for a time range, e.g. to swap a shift. */
export const createOncallOverride = defineService({
  name: "oncall.override",
  role: "operator",
  input: createOverrideInput,
  run(ctx, input) {
    const config = getConfig().config;
    if (!config.oncall.schedules.some((s) => s.id === input.scheduleId))
      throw new ServiceError(404, `No schedule "${input.scheduleId}".`);
    const person = input.person.toLowerCase();
    const known =
      rosterOf(config, input.scheduleId).some((p) => p.toLowerCase() === person) ||
      ctx.db
        .select({ email: users.email })
        .from(users)
        .all()
        .some((u) => u.email.toLowerCase() === person);
    if (!known)
      throw new ServiceError(
        400,
        `${input.person} is neither in this rotation nor an Opsdeck user.`,
        [{ path: "person", message: "unknown person" }],
      );
    return ctx.commit(
      (out: { overrideId: number }) => ({
        action: "oncall.override",
        targetType: "schedule",
        targetId: input.scheduleId,
        details: {
          overrideId: out.overrideId,
          person,
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          reason: input.reason,
        },
      }),
      (tx) => {
        const row = tx
          .insert(oncallOverrides)
          .values({
            scheduleId: input.scheduleId,
            person,
            startsAt: new Date(input.startsAt),
            endsAt: new Date(input.endsAt),
            reason: input.reason || null,
            createdBy: ctx.requester.name,
          })
          .returning({ id: oncallOverrides.id })
          .get();
        return { overrideId: row.id };
      },
    );
  },
});
