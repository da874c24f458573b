import "server-only";
import pino, { type Logger } from "pino";
import { env } from "@/env";
import { logOptions } from "@/lib/log-format";

const state = globalThis as unknown as { __opsdeckLogger?: Logger };

/** The process logger; see docs/logging.md for when to use each level. */
export const logger: Logger = (state.__opsdeckLogger ??= pino(
  logOptions("opsdeck", env.NODE_ENV === "test" ? "silent" : env.LOG_LEVEL),
));

export type LogContext = {
  requestId?: string;
  userId?: number;
  endpoint?: string;
  [k: string]: unknown;
};

export function childLogger(context: LogContext): Logger {
  return logger.child({ context });
}
