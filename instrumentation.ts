import * as Sentry from "@sentry/nextjs";

// Runs once when the server starts, before it answers any request.
export async function register() {
  // NEXT_RUNTIME is replaced at build time, which is what keeps Node-only modules
  // out of the edge bundle; read through env.ts it would not be.
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./env");
  if (env.SENTRY_DSN) {
    Sentry.init({
      dsn: env.SENTRY_DSN,
      environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV,
      release: env.SENTRY_RELEASE,
      tracesSampleRate: 0,
      sendDefaultPii: false,
    });
  }
  const { bootOrExit } = await import("./server/runtime");
  await bootOrExit();
}

export const onRequestError: typeof Sentry.captureRequestError = async (...args) => {
  const { env } = await import("./env");
  if (env.SENTRY_DSN) Sentry.captureRequestError(...args);
};
