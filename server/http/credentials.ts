import "server-only";
import type { SecretValue } from "@/server/config/secret-value";

/** Credentials the config gives for a server Opsdeck calls (a scrape target, a datasource). */
export type OutgoingCredentials = {
  bearerToken?: SecretValue;
  basicAuth?: { username: string; password: SecretValue };
};

/**
 * The Authorization header for them: `Bearer <token>`, or Basic (RFC 7617: the user, a
 * colon and the password, UTF-8, base64); undefined for none. The config refuses both.
 */
export function authorizationFor(c: OutgoingCredentials): string | undefined {
  if (c.bearerToken) return `Bearer ${c.bearerToken.reveal()}`;
  if (c.basicAuth) {
    const pair = `${c.basicAuth.username}:${c.basicAuth.password.reveal()}`;
    return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  }
  return undefined;
}

/**
 * The user and password of a Basic Authorization header (the password may hold colons,
 * the user cannot); undefined for any other header.
 */
export function readBasicAuth(header: string): { username: string; password: string } | undefined {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1];
  if (!encoded) return undefined;
  const pair = Buffer.from(encoded, "base64").toString("utf8");
  const colon = pair.indexOf(":");
  if (colon < 0) return undefined;
  return { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
}
