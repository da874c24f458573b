import * as Sentry from "@sentry/nextjs";

// Runs once when the server starts, before it answers any request.
export async function register() {
  // NEXT_RUNTIME is replaced at build time, which is what keeps Node-only modules
  // out of the edge bundle; read through env.ts it would not be.
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./env");
  if (env.SENTRY_DSN) {
    // Scrubbed events, no personal data, no trace headers on outgoing requests.
    const { sentryOptions } = await import("./server/sentry");
    Sentry.init(sentryOptions());
  }
  const { bootOrExit } = await import("./server/runtime");
  await bootOrExit();
}

export const onRequestError: typeof Sentry.captureRequestError = async (...args) => {
  const { env } = await import("./env");
  if (env.SENTRY_DSN) Sentry.captureRequestError(...args);
};
