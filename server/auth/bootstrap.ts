import "server-only";
import crypto from "node:crypto";
import { count, eq } from "drizzle-orm";
import { env } from "@/env";
import { writeAudit } from "@/server/audit/write";
import type { Db } from "@/server/db";
import { users } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { hashPassword } from "./password";

const SYSTEM = { id: null, name: "system", role: null };
const NO_REQUEST = { ip: null, userAgent: null, requestId: null };

/**
 * Makes sure someone can sign in. With OPSDECK_ADMIN_EMAIL and _PASSWORD set, that
 * admin is created if missing (an existing account is left as it is: the variables
 * are a first-start bootstrap, not a password store). With neither set and no users
 * at all, an admin with a random password is created and the password printed once.
 */
export async function ensureFirstAdmin(db: Db): Promise<void> {
  if (env.OPSDECK_ADMIN_EMAIL && env.OPSDECK_ADMIN_PASSWORD) {
    const email = env.OPSDECK_ADMIN_EMAIL.toLowerCase();
    if (db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()) return;
    await createAdmin(db, email, env.OPSDECK_ADMIN_PASSWORD, "environment");
    logger.info({ context: { email } }, "created the admin from OPSDECK_ADMIN_EMAIL");
    return;
  }
  if (env.OPSDECK_ADMIN_EMAIL || env.OPSDECK_ADMIN_PASSWORD) {
    logger.warn(
      "set both OPSDECK_ADMIN_EMAIL and OPSDECK_ADMIN_PASSWORD to create an admin; ignoring the one given",
    );
  }
  const existing = db.select({ n: count() }).from(users).get()?.n ?? 0;
  if (existing > 0) return;
  const email = "admin@opsdeck.local";
  const password = crypto.randomBytes(18).toString("base64url");
  await createAdmin(db, email, password, "generated");
  // Printed once, on purpose, outside the structured log: it is the only way in.
  process.stdout.write(
    `\n  Opsdeck created the first admin.\n    email:    ${email}\n    password: ${password}\n  Sign in and change it (Settings → Users), or set OPSDECK_ADMIN_EMAIL and OPSDECK_ADMIN_PASSWORD.\n\n`,
  );
}

async function createAdmin(db: Db, email: string, password: string, source: string) {
  const passwordHash = await hashPassword(password);
  db.transaction(
    (tx) => {
      const user = tx
        .insert(users)
        .values({ email, name: env.OPSDECK_ADMIN_NAME ?? "Admin", role: "admin", passwordHash })
        .onConflictDoNothing()
        .returning()
        .get();
      if (!user) return;
      writeAudit(tx, SYSTEM, NO_REQUEST, {
        action: "users.bootstrap_admin",
        targetType: "user",
        targetId: user.id,
        details: { email, source },
      });
    },
    { behavior: "immediate" },
  );
}
