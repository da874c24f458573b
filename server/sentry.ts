import "server-only";
import * as Sentry from "@sentry/nextjs";
import { env } from "@/env";

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
