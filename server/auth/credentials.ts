import "server-only";
import { eq } from "drizzle-orm";
import { signInInput } from "@/lib/schemas/user";
import { recordAudit, writeAudit, type RequestMeta } from "@/server/audit/write";
import type { Db } from "@/server/db";
import { users } from "@/server/db/schema";
import { verifyPassword } from "./password";
import { recordFailure, recordSuccess, throttleWait } from "./throttle";

/** What a successful sign-in puts into the session token. */
export type SignedIn = { id: string; uid: number; sv: number; name: string; email: string };

export function toSignedIn(user: {
  id: number;
  sessionVersion: number;
  name: string;
  email: string;
}): SignedIn {
  return {
    id: String(user.id),
    uid: user.id,
    sv: user.sessionVersion,
    name: user.name,
    email: user.email,
  };
}

/** A sign-in refused with a message the person may see (and, for redirects, its code). */
export class SignInError extends Error {
  constructor(
    message: string,
    readonly code = "CredentialsSignin",
  ) {
    super(message);
  }
}

const BAD_CREDENTIALS = "Invalid email or password.";

/**
 * Checks an email and password. Input is validated before any password work;
 * throttled keys are refused without checking the password; every outcome is audited.
 */
export async function signInWithPassword(
  db: Db,
  raw: unknown,
  meta: RequestMeta,
): Promise<SignedIn> {
  const parsed = signInInput.safeParse(raw);
  if (!parsed.success) throw new SignInError(parsed.error.issues[0]?.message ?? BAD_CREDENTIALS);
  const { email, password } = parsed.data;
  const keys = { account: email, ip: meta.ip };
  const anonymous = { id: null, name: email, role: null };

  const wait = throttleWait(db, keys);
  if (wait > 0) {
    recordAudit(db, anonymous, meta, {
      action: "auth.login",
      outcome: "denied",
      details: { reason: "throttled", retryAfterSeconds: Math.ceil(wait / 1000) },
    });
    throw new SignInError(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 1000)} s.`);
  }

  const user = db.select().from(users).where(eq(users.email, email)).get();
  const ok = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !ok) {
    recordFailure(db, keys);
    recordAudit(db, user ? { id: user.id, name: email, role: user.role } : anonymous, meta, {
      action: "auth.login",
      outcome: "failure",
      details: { reason: user ? "wrong_password" : "unknown_account" },
    });
    throw new SignInError(BAD_CREDENTIALS);
  }
  if (user.disabled) {
    recordAudit(db, { id: user.id, name: email, role: user.role }, meta, {
      action: "auth.login",
      outcome: "denied",
      details: { reason: "disabled" },
    });
    throw new SignInError("This account is disabled. Ask an admin to enable it.");
  }

  recordSuccess(db, keys);
  db.transaction(
    (tx) => {
      tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id)).run();
      writeAudit(tx, { id: user.id, name: email, role: user.role }, meta, {
        action: "auth.login",
        details: { method: "password" },
      });
    },
    { behavior: "immediate" },
  );
  return toSignedIn(user);
}
