import "server-only";
import { eq } from "drizzle-orm";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { ROLES, type Role } from "@/lib/roles";
import { signInErrorMessage } from "@/lib/safe-callback";
import { writeAudit, recordAudit, type RequestMeta } from "@/server/audit/write";
import type { OidcConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { users } from "@/server/db/schema";
import { SignInError, toSignedIn, type SignedIn } from "./credentials";

type Claims = Record<string, unknown> & {
  sub: string;
  email?: string;
  name?: string;
  preferred_username?: string;
};

export function oidcProvider(cfg: OidcConfig): OAuthConfig<Claims> {
  return {
    id: "oidc",
    name: cfg.name,
    type: "oauth",
    wellKnown: `${cfg.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret.reveal(),
    authorization: { params: { scope: cfg.scope } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (claims) => ({
      id: claims.sub,
      name: claims.name ?? claims.preferred_username ?? claims.email ?? claims.sub,
      email: claims.email ?? null,
    }),
  };
}

/** Highest role whose configured groups intersect the user's groups claim; else the default. */
export function roleFromClaims(cfg: OidcConfig, claims: Record<string, unknown>): Role {
  const raw = claims[cfg.groupsClaim];
  const groups = new Set(
    Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(/[\s,]+/) : [],
  );
  for (const role of [...ROLES].reverse()) {
    if (cfg.roleMapping[role].some((g) => groups.has(g))) return role;
  }
  return cfg.defaultRole;
}

/**
 * Creates or updates the local user for an OIDC sign-in. The identity provider
 * decides the role at every sign-in; an admin can still disable the account here.
 */
export function upsertOidcUser(
  db: Db,
  cfg: OidcConfig,
  claims: Claims,
  meta: RequestMeta,
): SignedIn {
  const subject = `${cfg.issuer}#${claims.sub}`;
  const email = (claims.email ?? `${claims.sub}@oidc.invalid`).toLowerCase().slice(0, 254);
  const name = String(claims.name ?? claims.preferred_username ?? email).slice(0, 100);
  const role = roleFromClaims(cfg, claims);

  const outcome = db.transaction(
    (tx): SignedIn | { refused: string } => {
      let user = tx.select().from(users).where(eq(users.oidcSubject, subject)).get();
      if (!user) {
        const clash = tx.select().from(users).where(eq(users.email, email)).get();
        if (clash) {
          writeAudit(tx, { id: clash.id, name: email, role: clash.role }, meta, {
            action: "auth.login",
            outcome: "denied",
            details: { method: "oidc", reason: "email_belongs_to_password_account" },
          });
          return { refused: "OidcEmailTaken" };
        }
        user = tx
          .insert(users)
          .values({ email, name, role, provider: "oidc", oidcSubject: subject })
          .returning()
          .get();
        writeAudit(tx, { id: null, name: "oidc", role: null }, meta, {
          action: "users.create",
          targetType: "user",
          targetId: user.id,
          details: { email, role, provider: "oidc" },
        });
      } else if (user.disabled) {
        writeAudit(tx, { id: user.id, name: email, role: user.role }, meta, {
          action: "auth.login",
          outcome: "denied",
          details: { method: "oidc", reason: "disabled" },
        });
        return { refused: "OidcDisabled" };
      } else if (user.role !== role || user.name !== name || user.email !== email) {
        user = tx
          .update(users)
          .set({
            role,
            name,
            email,
            sessionVersion: user.role !== role ? user.sessionVersion + 1 : user.sessionVersion,
          })
          .where(eq(users.id, user.id))
          .returning()
          .get();
      }
      tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id)).run();
      writeAudit(tx, { id: user.id, name: email, role: user.role }, meta, {
        action: "auth.login",
        details: { method: "oidc", role },
      });
      return toSignedIn(user);
    },
    { behavior: "immediate" },
  );
  // Thrown after the transaction so the refusal's audit row is kept.
  if ("refused" in outcome)
    throw new SignInError(signInErrorMessage(outcome.refused)!, outcome.refused);
  return outcome;
}

export function auditOidcFailure(db: Db, meta: RequestMeta, reason: string): void {
  recordAudit(db, { id: null, name: "oidc", role: null }, meta, {
    action: "auth.login",
    outcome: "failure",
    details: { method: "oidc", reason },
  });
}
