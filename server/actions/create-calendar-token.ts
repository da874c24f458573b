"use server";
import "server-only";
import { randomBytes } from "node:crypto";
import { calendarTokenInput } from "@/lib/schemas/alerts";
import { authAction } from "@/server/auth/action";
import { calendarTokens } from "@/server/db/schema";
import { hashCalendarToken } from "@/server/oncall/calendar";

/**
 * A new personal token for the on-call iCalendar feed (any signed-in user, for
 * themselves). Shown once; only its hash is kept, and a new one replaces the old.
 */
export const createCalendarToken = authAction({
  name: "oncall.calendar_token",
  role: "viewer",
  input: calendarTokenInput,
  run(ctx) {
    const token = `cal_${randomBytes(24).toString("base64url")}`;
    return ctx.commit(
      { action: "oncall.calendar_token", targetType: "user", targetId: String(ctx.user.id) },
      (tx) => {
        tx.insert(calendarTokens)
          .values({ userId: ctx.user.id, tokenHash: hashCalendarToken(token) })
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
