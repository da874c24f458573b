import "server-only";
import { eq, sql } from "drizzle-orm";
import { setDisabledInput } from "@/lib/schemas/user";
import { users } from "@/server/db/schema";
import { findUser, otherActiveAdmins } from "@/server/queries/users";
import { defineService, ServiceError } from "@/server/services/service";

/** Disables an account (ending its sessions) or enables it again. */
export const setUserDisabled = defineService({
  name: "users.set_disabled",
  role: "admin",
  input: setDisabledInput,
  run(ctx, input) {
    return ctx.commit(
      {
        action: input.disabled ? "users.disable" : "users.enable",
        targetType: "user",
        targetId: input.userId,
      },
      (tx) => {
        const user = findUser(tx, input.userId);
        if (!user) throw new ServiceError(404, "No such user.");
        if (input.disabled && ctx.actor.kind === "user" && user.id === ctx.actor.id)
          throw new ServiceError(409, "You cannot disable your own account.");
        if (input.disabled && user.role === "admin" && otherActiveAdmins(tx, user.id) === 0) {
          throw new ServiceError(409, "At least one active admin must remain.");
        }
        tx.update(users)
          .set({ disabled: input.disabled, sessionVersion: sql`${users.sessionVersion} + 1` })
          .where(eq(users.id, user.id))
          .run();
        return { email: user.email, disabled: input.disabled };
      },
    );
  },
});
