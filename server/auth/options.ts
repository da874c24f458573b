import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/env";
import { safeCallback } from "@/lib/safe-callback";
import { getConfig } from "@/server/config";
import type { LoadedConfig } from "@/server/config/load";
import { getDb } from "@/server/db";
import { recordAudit } from "@/server/audit/write";
import { currentRequestMeta } from "@/server/http/request-meta";
import { logger } from "@/server/logger";
import { signInWithPassword, SignInError, type SignedIn } from "./credentials";
import { auditOidcFailure, oidcProvider, upsertOidcUser } from "./oidc";
import { isSessionRevoked, revokeSession } from "./revocation";
import { getSessionSecret } from "./secret";

/** What the session token holds: user id, session version, and this sign-in's session id. */
type Token = {
  uid?: number;
  sv?: number;
  sid?: string;
  name?: string | null;
  email?: string | null;
};

const cache = new WeakMap<LoadedConfig, AuthOptions>();

/** The origin people reach Opsdeck at (as the HTTP server tells next-auth). */
export function publicOrigin(): string {
  return new URL(env.OPSDECK_URL ?? `http://localhost:${env.PORT}`).origin;
}

/** Cookies carry the Secure flag whenever Opsdeck is reached over HTTPS. */
export function secureCookies(): boolean {
  return env.OPSDECK_FORCE_HTTPS || (env.OPSDECK_URL?.startsWith("https://") ?? false);
}

/**
 * next-auth configuration: JWT sessions (httpOnly, SameSite=Lax, Secure over HTTPS)
 * holding only the user id, session version and session id; everything else is
 * read from the database per request (see getSessionUser). Signing out revokes the
 * session id, so a copy of the cookie dies with it.
 */
export function getAuthOptions(): AuthOptions {
  const loaded = getConfig();
  const cached = cache.get(loaded);
  if (cached) return cached;
  const { auth } = loaded.config;
  const oidc = auth.oidc;

  const options: AuthOptions = {
    secret: getSessionSecret(),
    session: { strategy: "jwt", maxAge: auth.sessionMaxAgeHours * 3600, updateAge: 15 * 60 },
    useSecureCookies: secureCookies(),
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Password",
        credentials: { email: { type: "email" }, password: { type: "password" } },
        async authorize(credentials) {
          try {
            return await signInWithPassword(getDb(), credentials, await currentRequestMeta());
          } catch (err) {
            if (err instanceof SignInError) throw err;
            logger.error({ error: err }, "sign-in failed unexpectedly");
            throw new Error("Sign-in is unavailable right now.");
          }
        },
      }),
      ...(oidc ? [oidcProvider(oidc)] : []),
    ],
    callbacks: {
      // next-auth's own redirects (after sign-in, sign-out, errors) stay on Opsdeck.
      redirect: ({ url, baseUrl }) => new URL(safeCallback(url, baseUrl), baseUrl).toString(),
      async signIn({ account, profile, user }) {
        if (account?.provider !== "oidc" || !oidc) return true;
        const meta = await currentRequestMeta();
        if (!profile?.sub) {
          auditOidcFailure(getDb(), meta, "no_subject_claim");
          return "/login?error=OidcNoSubject";
        }
        try {
          const signedIn = upsertOidcUser(
            getDb(),
            oidc,
            profile as Parameters<typeof upsertOidcUser>[2],
            meta,
          );
          Object.assign(user, { uid: signedIn.uid, sv: signedIn.sv });
          return true;
        } catch (err) {
          if (err instanceof SignInError) return `/login?error=${encodeURIComponent(err.code)}`;
          throw err;
        }
      },
      async jwt({ token, user }) {
        if (user) {
          const u = user as Partial<SignedIn>;
          return {
            ...token,
            uid: u.uid,
            sv: u.sv,
            sid: crypto.randomUUID(),
            name: user.name,
            email: user.email,
          } satisfies Token;
        }
        // Renewing a signed-out session (next-auth's /api/auth/session would hand back a
        // fresh cookie) fails: next-auth then answers an empty session and clears the cookie.
        const t = token as Token;
        if (typeof t.sid !== "string" || isSessionRevoked(getDb(), t.sid))
          throw new Error("session ended");
        return token;
      },
      async session({ session, token }) {
        const t = token as Token;
        session.user = {
          id: t.uid,
          sv: t.sv,
          sid: t.sid,
          name: t.name,
          email: t.email,
        } as typeof session.user;
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        const t = token as Token | null;
        if (!t?.uid) return;
        const actor = { id: t.uid, name: t.email ?? String(t.uid), role: null };
        const meta = await currentRequestMeta();
        if (typeof t.sid !== "string") {
          recordAudit(getDb(), actor, meta, { action: "auth.logout" });
          return;
        }
        revokeSession(
          getDb(),
          { sid: t.sid, userId: t.uid },
          auth.sessionMaxAgeHours * 3600,
          actor,
          meta,
        );
      },
    },
    logger: {
      error: (code, metadata) => {
        // A cookie that does not decrypt (tampered, or signed with an old key) is the
        // visitor's problem, not the server's: a warning without a stack trace.
        if (code === "JWT_SESSION_ERROR")
          return logger.warn({ context: { code } }, "auth: unreadable session cookie");
        logger.error(
          { context: { code }, error: metadata instanceof Error ? metadata : undefined },
          `auth: ${code}`,
        );
      },
      warn: (code) => logger.warn(`auth: ${code}`),
      debug: (code) => logger.debug(`auth: ${code}`),
    },
  };
  cache.set(loaded, options);
  return options;
}
