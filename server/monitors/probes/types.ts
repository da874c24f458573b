import "server-only";

export type CheckStatus = "up" | "degraded" | "down";

/** The outcome of one check of one monitor. */
export type ProbeResult = {
  status: CheckStatus;
  /** Time to the answer (HTTP: response complete up to the body limit; TCP: connected; TLS: handshake done). */
  responseMs: number | null;
  statusCode: number | null;
  /** Why it is down or degraded, in words an on-call engineer understands; null when up. */
  error: string | null;
  /** Days until the server's certificate expires (HTTPS and TLS checks), rounded down; negative when expired. */
  tlsDaysLeft: number | null;
  /** Certificate details for TLS monitors. */
  tls?: { issuer: string; subject: string; validTo: string } | null;
};

/** Largest response body read by an HTTP check; the rest is discarded unread. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What every probe accepts besides its monitor's config. */
export type ProbeOptions = {
  /** Aborting ends the check at once, as down. */
  signal?: AbortSignal;
  /** Clock for certificate expiry, in epoch milliseconds; Date.now unless a test pins it. */
  now?: () => number;
};
