import "server-only";
import * as Sentry from "@sentry/nextjs";
import { env } from "@/env";
import { REDACTED, redactSecrets } from "@/server/secrets/redact";
import { stripUrlSecrets } from "@/server/secrets/urls";

type Options = Parameters<typeof Sentry.init>[0];
type Event = Parameters<NonNullable<Options["beforeSend"]>>[0];
type Breadcrumb = Parameters<NonNullable<Options["beforeBreadcrumb"]>>[0];

/** Request headers worth having in an error report; every other header is dropped. */
const KEPT_HEADERS = new Set([
  "user-agent",
  "accept",
  "content-type",
  "content-length",
  "x-request-id",
]);
/** Keys whose value is a credential wherever they appear in an event. */
const SECRET_KEY =
  /cookie|authorization|auth[-_]?token|token|password|passwd|secret|session|api[-_]?key|credential|dsn|signature/i;
const TOKEN_PATTERNS: [RegExp, string][] = [
  // A cookie pair of next-auth's (session, CSRF, callback), wherever it is quoted.
  [/((?:__Secure-|__Host-)?next-auth\.[\w.-]+=)[^;\s"',]+/g, `$1${REDACTED}`],
  // Bearer and Basic credentials.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // A JWT or JWE (next-auth's session token is one): base64url JSON header, then dots.
  [/\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){1,4}/g, REDACTED],
];

/** A string as it may leave for Sentry: no known secret, no token, no query string, no URL password. */
function scrubText(text: string): string {
  let out = stripUrlSecrets(redactSecrets(text));
  for (const [pattern, replacement] of TOKEN_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object" || depth > 30) return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] =
      SECRET_KEY.test(k) && v !== null && v !== undefined ? REDACTED : scrubDeep(v, depth + 1);
  return out;
}

/**
 * What Opsdeck sends to Sentry about a failed request: the method, the URL without
 * its query, and harmless headers. Never cookies (a session cookie is a login),
 * authorization headers, query strings (callback URLs, tokens) or bodies.
 */
export function scrubEvent<E extends Event>(event: E): E {
  const copy = { ...event };
  if (copy.request) {
    const { method, url, headers } = copy.request;
    copy.request = {
      method,
      url: url === undefined ? undefined : stripUrlSecrets(url),
      headers: Object.fromEntries(
        Object.entries(headers ?? {}).filter(([name]) => KEPT_HEADERS.has(name.toLowerCase())),
      ),
    };
  }
  if (copy.user) copy.user = copy.user.id === undefined ? undefined : { id: copy.user.id };
  return scrubDeep(copy) as E;
}

export function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb {
  return scrubDeep(crumb) as Breadcrumb;
}

/**
 * How Opsdeck's server initialises Sentry (instrumentation.ts). Events and breadcrumbs
 * are scrubbed before they leave; no personal data is collected; and no trace
 * headers (sentry-trace, baggage) are added to Opsdeck's own outgoing requests, which go
 * to monitored services, Slack, webhooks and Railway: third parties all.
 */
export function sentryOptions(overrides: Partial<NonNullable<Options>> = {}): NonNullable<Options> {
  return {
    dsn: env.SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV,
    release: env.SENTRY_RELEASE,
    tracesSampleRate: 0,
    sendDefaultPii: false,
    tracePropagationTargets: [],
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (crumb) => scrubBreadcrumb(crumb),
    ...overrides,
  };
}

type Reporter = (err: unknown, context?: Record<string, unknown>) => void;
let forward: Reporter | undefined;

/** The engine thread hands its errors to the HTTP thread, where Sentry is set up. */
export function forwardErrorsTo(reporter: Reporter): void {
  forward = reporter;
}

/** Reports an unexpected error to Sentry when SENTRY_DSN is set; a no-op otherwise. */
export function captureError(err: unknown, context?: Record<string, unknown>): void {
  if (!env.SENTRY_DSN) return;
  if (forward) return forward(err, context);
  Sentry.captureException(err, context ? { extra: context } : undefined);
}
