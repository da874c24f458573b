import "server-only";
import { and, asc, count, eq, inArray, ne } from "drizzle-orm";
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

/**
 * People as others should see them: the account's name for an email, else the email's
 * local part (a roster entry without an account). Emails stay in config and URLs.
 */
export function peopleNames(db: DbOrTx, emails: Iterable<string>): (email: string) => string {
  const wanted = [...new Set([...emails].map((e) => e.toLowerCase()))];
  const names = new Map<string, string>();
  // SQLite caps bound parameters; rosters and pages hold far fewer people than this.
  for (let i = 0; i < wanted.length; i += 500) {
    for (const row of db
      .select({ email: users.email, name: users.name })
      .from(users)
      .where(inArray(users.email, wanted.slice(i, i + 500)))
      .all())
      names.set(row.email.toLowerCase(), row.name);
  }
  return (email) => names.get(email.toLowerCase()) ?? email.split("@")[0] ?? email;
}
