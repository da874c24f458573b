import "server-only";
import { and, asc, count, eq, ne } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { users } from "@/server/db/schema";

/** Users as the admin page shows them: never the password hash. */
export function listUsers(db: DbOrTx) {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      provider: users.provider,
      disabled: users.disabled,
      lastLoginAt: users.lastLoginAt,
      createdAt: users.createdAt,
    })
    .from(users)
    .orderBy(asc(users.email))
    .all();
}
export type UserRow = ReturnType<typeof listUsers>[number];

export function findUser(db: DbOrTx, id: number) {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** Active admins other than `exceptId`: a change may not leave this at zero. */
export function otherActiveAdmins(db: DbOrTx, exceptId: number): number {
  return (
    db
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.role, "admin"), eq(users.disabled, false), ne(users.id, exceptId)))
      .get()?.n ?? 0
  );
}
