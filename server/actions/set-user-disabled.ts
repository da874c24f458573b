"use server";
import "server-only";
import { eq, sql } from "drizzle-orm";
import { setDisabledInput } from "@/lib/schemas/user";
import { ActionError, authAction } from "@/server/auth/action";
import { users } from "@/server/db/schema";
import { findUser, otherActiveAdmins } from "@/server/queries/users";

export const setUserDisabled = authAction({
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
        if (!user) throw new ActionError(404, "No such user.");
        if (input.disabled && user.id === ctx.user.id)
          throw new ActionError(409, "You cannot disable your own account.");
        if (input.disabled && user.role === "admin" && otherActiveAdmins(tx, user.id) === 0) {
          throw new ActionError(409, "At least one active admin must remain.");
        }
        tx.update(users)
          // Disabling also ends every session the user has.
          .set({ disabled: input.disabled, sessionVersion: sql`${users.sessionVersion} + 1` })
          .where(eq(users.id, user.id))
          .run();
        return { email: user.email, disabled: input.disabled };
      },
    );
  },
});
