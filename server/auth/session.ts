import "server-only";
import { cache } from "react";
import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Role } from "@/lib/roles";
import { hasRole } from "@/lib/roles";
import { getDb } from "@/server/db";
import { users } from "@/server/db/schema";
import { getAuthOptions } from "./options";
import { isSessionRevoked } from "./revocation";

export type SessionUser = { id: number; email: string; name: string; role: Role };

/**
 * The signed-in user, read fresh from the database on every request: a role
 * change, a disabled account or a password reset takes effect at once, because
 * the session token carries the user's session version and it must still match.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(getAuthOptions());
  return userFromClaims(session?.user);
});

/**
 * The user a session's claims (as the session callback exposes them) stand for,
 * if the session is still valid: not signed out, and the user's version unchanged.
 */
export function userFromClaims(claims: unknown): SessionUser | null {
  const c = claims as { id?: unknown; sv?: unknown; sid?: unknown } | undefined;
  if (typeof c?.id !== "number" || typeof c.sv !== "number" || typeof c.sid !== "string")
    return null;
  if (isSessionRevoked(getDb(), c.sid)) return null;
  return loadActiveUser(c.id, c.sv);
}

export function loadActiveUser(id: number, sessionVersion: number): SessionUser | null {
  const user = getDb().select().from(users).where(eq(users.id, id)).get();
  if (!user || user.disabled || user.sessionVersion !== sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** For pages: the user, or a redirect to the sign-in page (or a 403 page when the role is too low). */
export async function requirePageUser(role: Role = "viewer"): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) {
    const here = (await headers()).get("x-pathname") ?? "/";
    redirect(here === "/" ? "/login" : `/login?callbackUrl=${encodeURIComponent(here)}`);
  }
  if (!hasRole(user.role, role)) redirect("/forbidden");
  return user;
}
