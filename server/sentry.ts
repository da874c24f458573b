import "server-only";
import * as Sentry from "@sentry/nextjs";
import { env } from "@/env";

/** Reports an unexpected error to Sentry when SENTRY_DSN is set; a no-op otherwise. */
export function captureError(err: unknown, context?: Record<string, unknown>): void {
  if (!env.SENTRY_DSN) return;
  Sentry.captureException(err, context ? { extra: context } : undefined);
}
