import "server-only";
import { eq } from "drizzle-orm";
import { setTimeZoneInput } from "@/lib/schemas/user";
import { users } from "@/server/db/schema";
import { defineService, ServiceError } from "@/server/services/service";

/** Sets the zone the signed-in person reads times in (null = their browser's). Only ever their own. */
export const setOwnTimeZone = defineService({
  name: "preferences.set_time_zone",
  role: "viewer",
  input: setTimeZoneInput,
  run(ctx, input) {
    const actor = ctx.actor;
    if (actor.kind !== "user")
      throw new ServiceError(400, "Only a signed-in person has a time zone setting.");
    return ctx.commit(
      (previous: string | null) => ({
        action: "preferences.set_time_zone",
        targetType: "user",
        targetId: actor.id,
        details: { from: previous ?? "browser", to: input.timeZone ?? "browser" },
      }),
      (tx) => {
        const before = tx
          .select({ timeZone: users.timeZone })
          .from(users)
          .where(eq(users.id, actor.id))
          .get();
        if (!before) throw new ServiceError(404, "No such user.");
        tx.update(users).set({ timeZone: input.timeZone }).where(eq(users.id, actor.id)).run();
        return before.timeZone;
      },
    );
  },
});
