import "server-only";
import { eq } from "drizzle-orm";
import { signInInput } from "@/lib/schemas/user";
import { recordAudit, writeAudit, type RequestMeta } from "@/server/audit/write";
import type { Db } from "@/server/db";
import { users } from "@/server/db/schema";
import { verifyPassword } from "./password";
import { claimAttempt, recordThrottled, refundAttempt } from "./throttle";

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
 * Checks an email and password. Input is validated before any password work; the
 * attempt is counted against the throttle before the password is checked (so
 * parallel guesses cannot all slip through), throttled attempts are refused
 * without a check; every outcome is audited, throttled ones collapsed per window.
 * A disabled account is answered exactly as a wrong password is.
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

  const claim = claimAttempt(db, keys);
  if (!claim.allowed) {
    recordThrottled(db, claim, { name: email }, meta);
    throw new SignInError(
      `Too many failed sign-ins. Try again in ${Math.ceil(claim.waitMs / 1000)} s.`,
    );
  }

  const user = db.select().from(users).where(eq(users.email, email)).get();
  // The check runs for a disabled account too, and its result is not used: neither
  // the answer nor its timing tells whether a disabled account's password was right.
  const ok = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !ok || user.disabled) {
    const reason = !user ? "unknown_account" : user.disabled ? "disabled" : "wrong_password";
    recordAudit(
      db,
      user ? { id: user.id, name: email, role: user.role } : { id: null, name: email, role: null },
      meta,
      {
        action: "auth.login",
        outcome: "failure",
        details: { reason },
      },
    );
    throw new SignInError(BAD_CREDENTIALS);
  }

  refundAttempt(db, keys);
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
