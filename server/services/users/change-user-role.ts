import "server-only";
import { eq, sql } from "drizzle-orm";
import { changeRoleInput } from "@/lib/schemas/user";
import { users } from "@/server/db/schema";
import { findUser, otherActiveAdmins } from "@/server/queries/users";
import { defineService, ServiceError } from "@/server/services/service";

/** Gives a user another role; their sessions end, so the new role applies at once. */
export const changeUserRole = defineService({
  name: "users.change_role",
  role: "admin",
  input: changeRoleInput,
  run(ctx, input) {
    return ctx.commit(
      (change: { from: string; to: string; email: string }) => ({
        action: "users.change_role",
        targetType: "user",
        targetId: input.userId,
        details: change,
      }),
      (tx) => {
        const user = findUser(tx, input.userId);
        if (!user) throw new ServiceError(404, "No such user.");
        if (
          user.role === "admin" &&
          input.role !== "admin" &&
          otherActiveAdmins(tx, user.id) === 0
        ) {
          throw new ServiceError(409, "At least one active admin must remain.");
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
