import "server-only";
import { createHash, createHmac } from "node:crypto";
import { getSessionSecret } from "@/server/auth/secret";
import { sameToken } from "@/server/http/token";
import type { NotificationRow } from "@/server/db/schema";
import type { NotificationPayload } from "./payload";
import { opsdeckUrl } from "./payload";

/** How long an acknowledge link in a message works after the message was queued. */
export const ACK_LINK_TTL_MS = 24 * 3_600_000;

export type AckClaims = {
  alertId: number;
  /** Whom the link was sent to: the paged person's address, or "channel:<id>". */
  recipient: string;
  /** Epoch ms after which the link is refused. */
  expiresAt: number;
};

export type AckVerdict =
  | { ok: true; claims: AckClaims }
  | { ok: false; reason: "malformed" | "tampered" | "expired"; claims?: AckClaims };

const PREFIX = "ack1";

/**
 * The signing key: derived from the session secret (OPSDECK_SECRET or the generated
 * file), under its own label, so a link's MAC can never be replayed as anything else.
 */
function linkKey(secret = getSessionSecret()): Buffer {
  return createHmac("sha256", secret).update("opsdeck ack link v1").digest();
}

function mac(body: string, secret?: string): Buffer {
  return createHmac("sha256", linkKey(secret)).update(`${PREFIX}.${body}`).digest();
}

/** "ack1.<claims, base64url JSON>.<HMAC-SHA256, base64url>". The same claims give the same token. */
export function signAckToken(claims: AckClaims, secret?: string): string {
  const body = Buffer.from(
    JSON.stringify({ a: claims.alertId, r: claims.recipient, e: claims.expiresAt }),
  ).toString("base64url");
  return `${PREFIX}.${body}.${mac(body, secret).toString("base64url")}`;
}

/** Checks the signature first (nothing unsigned is believed), then the expiry. */
export function verifyAckToken(token: string, now = Date.now(), secret?: string): AckVerdict {
  if (token.length > 1024) return { ok: false, reason: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: "malformed" };
  const [, body, sig] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{43}$/.test(sig))
    return { ok: false, reason: "malformed" };
  // One spelling per token: base64url's spare bits must not make a "new" link of a used one.
  if (Buffer.from(sig, "base64url").toString("base64url") !== sig)
    return { ok: false, reason: "malformed" };
  if (!sameToken(sig, mac(body, secret).toString("base64url")))
    return { ok: false, reason: "tampered" };
  const bytes = Buffer.from(body, "base64url");
  if (bytes.toString("base64url") !== body) return { ok: false, reason: "malformed" };
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const c = raw as { a?: unknown; r?: unknown; e?: unknown };
  if (
    !Number.isSafeInteger(c.a) ||
    (c.a as number) <= 0 ||
    typeof c.r !== "string" ||
    !Number.isSafeInteger(c.e)
  )
    return { ok: false, reason: "malformed" };
  const claims: AckClaims = { alertId: c.a as number, recipient: c.r, expiresAt: c.e as number };
  if (now >= claims.expiresAt) return { ok: false, reason: "expired", claims };
  return { ok: true, claims };
}

/** What the used-links table keeps: never the token itself. */
export function hashAckToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function ackLinkUrl(token: string): string {
  return opsdeckUrl(`/alerts/ack/${token}`);
}

const WITH_LINKS = new Set<NotificationPayload["kind"]>(["firing", "escalation"]);

/**
 * The payload as sent: each firing alert of a firing or paging message gets its
 * acknowledge link, for whoever this row goes to. Made at delivery, from the row
 * alone (so a retry sends the same link), and never stored with the row.
 */
export function withAckLinks(
  payload: NotificationPayload,
  row: Pick<NotificationRow, "kind" | "recipient" | "channelId" | "createdAt">,
  secret?: string,
): NotificationPayload {
  if (!WITH_LINKS.has(row.kind)) return payload;
  const recipient = row.recipient ?? `channel:${row.channelId}`;
  const expiresAt = row.createdAt.getTime() + ACK_LINK_TTL_MS;
  return {
    ...payload,
    alerts: payload.alerts.map((a) =>
      a.status === "firing"
        ? {
            ...a,
            ackUrl: ackLinkUrl(signAckToken({ alertId: a.id, recipient, expiresAt }, secret)),
          }
        : a,
    ),
  };
}

/** What the person who opened a link that does not work is told. */
export function ackLinkRefusal(reason: "malformed" | "tampered" | "expired" | "used"): string {
  switch (reason) {
    case "malformed":
    case "tampered":
      return "This acknowledge link is not valid (it may have been cut short or altered). Open the alert in Opsdeck instead.";
    case "expired":
      return `This acknowledge link has expired (links work for ${ACK_LINK_TTL_MS / 3_600_000} hours). Open the alert in Opsdeck instead.`;
    case "used":
      return "This acknowledge link has already been used; each link works once. Open the alert in Opsdeck instead.";
  }
}
