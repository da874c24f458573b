import "server-only";
import { isMainThread } from "node:worker_threads";
import pino, { type Logger } from "pino";
import { env } from "@/env";
import { logOptions } from "@/lib/log-format";

const state = globalThis as unknown as { __opsdeckLogger?: Logger };

/**
 * The process logger; see docs/logging.md for when to use each level. In the engine
 * threads lines are written synchronously: pino cannot flush a worker thread's
 * asynchronous writes when it ends, and a thread that crashes must leave its last lines.
 */
export const logger: Logger = (state.__opsdeckLogger ??= pino(
  logOptions("opsdeck", env.NODE_ENV === "test" ? "silent" : env.LOG_LEVEL),
  isMainThread ? undefined : pino.destination({ fd: 1, sync: true }),
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
