import "server-only";
import { randomBytes } from "node:crypto";
import { calendarTokenInput } from "@/lib/schemas/alerts";
import { defineService, ServiceError } from "@/server/services/service";
import { calendarTokens } from "@/server/db/schema";
import { hashCalendarToken } from "@/server/oncall/calendar";

/**
 * A new personal token for the on-call iCalendar feed (any signed-in user, for
 * themselves). Shown once; only its hash is kept, and a new one replaces the old.
 */
export const createCalendarToken = defineService({
  name: "oncall.calendar_token",
  role: "viewer",
  input: calendarTokenInput,
  run(ctx) {
    if (ctx.actor.kind !== "user")
      throw new ServiceError(403, "A calendar token belongs to a signed-in user.");
    const userId = ctx.actor.id;
    const token = `cal_${randomBytes(24).toString("base64url")}`;
    return ctx.commit(
      { action: "oncall.calendar_token", targetType: "user", targetId: String(userId) },
      (tx) => {
        tx.insert(calendarTokens)
          .values({ userId, tokenHash: hashCalendarToken(token) })
          .onConflictDoUpdate({
            target: calendarTokens.userId,
            set: { tokenHash: hashCalendarToken(token), createdAt: new Date() },
          })
          .run();
        return { token };
      },
    );
  },
});
