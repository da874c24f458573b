import "server-only";
import { isMainThread } from "node:worker_threads";
import pino, { type DestinationStream, type Logger } from "pino";
import { env } from "@/env";
import { logOptions } from "@/lib/log-format";
import { redactSecrets } from "@/server/secrets/redact";

const state = globalThis as unknown as { __opsdeckLogger?: Logger };

/**
 * A logger in Opsdeck's format. Every finished line passes through the redactor
 * before it is written, so no known secret value reaches the log, whether it sits in
 * the message, a context field or an error's message and stack.
 */
export function createLogger(
  level: string,
  // pino's own default: stdout, buffered, flushed on exit, silent once stdout is gone.
  // In the engine threads lines are written synchronously: pino cannot flush a worker
  // thread's asynchronous writes when it ends, and a thread that crashes must leave its
  // last lines.
  destination: Pick<DestinationStream, "write"> = pino.destination({
    dest: process.stdout.fd || 1,
    sync: !isMainThread,
  }),
): Logger {
  return pino(logOptions("opsdeck", level), {
    write: (line: string) => destination.write(redactSecrets(line)),
  });
}

/** The process logger; see docs/logging.md for when to use each level. */
export const logger: Logger = (state.__opsdeckLogger ??= createLogger(
  env.NODE_ENV === "test" ? "silent" : env.LOG_LEVEL,
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
