import type { LoggerOptions } from "pino";
import { LOG_REDACT_PATHS } from "./redact";

/**
 * One JSON object per line: timestamp (ISO 8601), level (ERROR|WARN|INFO|DEBUG),
 * service, message, context {requestId, userId, endpoint}, error {message, stack}.
 * Shared by the app and the HTTP server in front of it so both write the same lines.
 */
export function logOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    messageKey: "message",
    errorKey: "error",
    base: { service },
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: label === "fatal" ? "ERROR" : label.toUpperCase() }),
    },
    serializers: {
      error: (err: unknown) =>
        err instanceof Error
          ? { message: err.message, name: err.name, stack: err.stack }
          : { message: String(err) },
    },
    redact: { paths: LOG_REDACT_PATHS, censor: "[redacted]" },
  };
}
