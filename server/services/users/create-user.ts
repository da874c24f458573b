import "server-only";
import { eq } from "drizzle-orm";
import { createUserInput } from "@/lib/schemas/user";
import { hashPassword } from "@/server/auth/password";
import { users } from "@/server/db/schema";
import { defineService, ServiceError } from "@/server/services/service";

/** Adds a password user (the admin page, or `npm run user -- create`). */
export const createUser = defineService({
  name: "users.create",
  role: "admin",
  input: createUserInput,
  async run(ctx, input) {
    const passwordHash = await hashPassword(input.password);
    return ctx.commit(
      (user: { id: number }) => ({
        action: "users.create",
        targetType: "user",
        targetId: user.id,
        details: { email: input.email, name: input.name, role: input.role },
      }),
      (tx) => {
        if (tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get()) {
          throw new ServiceError(409, `A user with the email ${input.email} already exists.`, [
            { path: "email", message: "This email is already in use." },
          ]);
        }
        return tx
          .insert(users)
          .values({ email: input.email, name: input.name, role: input.role, passwordHash })
          .returning({ id: users.id })
          .get();
      },
    );
  },
});
