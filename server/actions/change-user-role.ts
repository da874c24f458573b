"use server";
import "server-only";
import { eq, sql } from "drizzle-orm";
import { changeRoleInput } from "@/lib/schemas/user";
import { ActionError, authAction } from "@/server/auth/action";
import { users } from "@/server/db/schema";
import { findUser, otherActiveAdmins } from "@/server/queries/users";

export const changeUserRole = authAction({
  name: "users.change_role",
  role: "admin",
  input: changeRoleInput,
  run(ctx, input) {
    return ctx.commit(
      (change: { from: string; to: string }) => ({
        action: "users.change_role",
        targetType: "user",
        targetId: input.userId,
        details: change,
      }),
      (tx) => {
        const user = findUser(tx, input.userId);
        if (!user) throw new ActionError(404, "No such user.");
        if (
          user.role === "admin" &&
          input.role !== "admin" &&
          otherActiveAdmins(tx, user.id) === 0
        ) {
          throw new ActionError(409, "At least one active admin must remain.");
        }
        tx.update(users)
          .set({ role: input.role, sessionVersion: sql`${users.sessionVersion} + 1` })
          .where(eq(users.id, user.id))
          .run();
        return { from: user.role, to: input.role, email: user.email };
      },
    );
  },
});
