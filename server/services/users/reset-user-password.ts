import "server-only";
import { eq, sql } from "drizzle-orm";
import { resetPasswordInput } from "@/lib/schemas/user";
import { hashPassword } from "@/server/auth/password";
import { users } from "@/server/db/schema";
import { findUser } from "@/server/queries/users";
import { defineService, ServiceError } from "@/server/services/service";

/** Sets a new password and ends the user's sessions everywhere. */
export const resetUserPassword = defineService({
  name: "users.reset_password",
  role: "admin",
  input: resetPasswordInput,
  async run(ctx, input) {
    const passwordHash = await hashPassword(input.password);
    return ctx.commit(
      { action: "users.reset_password", targetType: "user", targetId: input.userId },
      (tx) => {
        const user = findUser(tx, input.userId);
        if (!user) throw new ServiceError(404, "No such user.");
        if (user.provider !== "credentials") {
          throw new ServiceError(
            409,
            "This user signs in through single sign-on and has no password here.",
          );
        }
        tx.update(users)
          .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
          .where(eq(users.id, user.id))
          .run();
        return { email: user.email };
      },
    );
  },
});
