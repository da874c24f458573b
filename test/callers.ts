import { hashPassword } from "@/server/auth/password";
import { setCallerResolver } from "@/server/auth/action";
import type { SessionUser } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { users } from "@/server/db/schema";
import type { Role } from "@/lib/roles";

export const testMeta = { ip: "192.0.2.10", userAgent: "vitest", requestId: "req-test" };

/** Inserts a user and returns it as a session user. */
export async function makeUser(
  db: Db,
  role: Role,
  email = `${role}@example.com`,
  password = "correct-horse-battery",
): Promise<SessionUser> {
  const row = db
    .insert(users)
    .values({
      email,
      name: role[0]!.toUpperCase() + role.slice(1),
      role,
      passwordHash: await hashPassword(password),
    })
    .returning()
    .get();
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** Makes server actions see `user` (or nobody) as the caller. */
export function actAs(user: SessionUser | null): void {
  setCallerResolver(async () => ({ user, meta: testMeta }));
}
