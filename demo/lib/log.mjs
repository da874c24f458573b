// @ts-check
/**
 * JSON lines, one object per line, in the format of docs/logging.md:
 * {"timestamp","level","service","message","context":{…},"error":{"message","stack"}}.
 * Opsdeck parses these lines, so the shape is fixed; "error" appears only when there is one.
 */

export const SERVICE = "navi-backend";

/** @typedef {"DEBUG" | "INFO" | "WARN" | "ERROR"} Level */
/** @typedef {Record<string, unknown>} LogContext */
/**
 * @typedef {object} Logger
 * @property {(message: string, context?: LogContext) => void} debug
 * @property {(message: string, context?: LogContext) => void} info
 * @property {(message: string, context?: LogContext) => void} warn
 * @property {(message: string, context?: LogContext, error?: unknown) => void} error
 */

/** @type {Record<Level, number>} */
const SEVERITY = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

/**
 * Accepts LOG_LEVEL in any case ("info", "WARN"); throws on anything else so a typo is
 * noticed at start instead of silently logging everything or nothing.
 * @param {string} value
 * @returns {Level}
 */
export function parseLogLevel(value) {
  const level = value.toUpperCase();
  if (!(level in SEVERITY)) {
    throw new Error(`unknown log level "${value}"; expected one of debug, info, warn, error`);
  }
  return /** @type {Level} */ (level);
}

/**
 * @param {unknown} error
 * @returns {{ message: string, stack?: string }}
 */
function serializeError(error) {
  return error instanceof Error
    ? { message: error.message, stack: error.stack }
    : { message: String(error) };
}

/**
 * @param {{ environment: string, level: Level, write: (line: string) => void }} options
 * @returns {Logger}
 */
export function createLogger({ environment, level, write }) {
  /**
   * @param {Level} lineLevel
   * @param {string} message
   * @param {LogContext} context
   * @param {unknown} [error]
   */
  function emit(lineLevel, message, context, error) {
    if (SEVERITY[lineLevel] < SEVERITY[level]) return;
    /** @type {Record<string, unknown>} */
    const line = {
      timestamp: new Date().toISOString(),
      level: lineLevel,
      service: SERVICE,
      message,
      context: { ...context, environment },
    };
    if (error !== undefined) line.error = serializeError(error);
    write(`${JSON.stringify(line)}\n`);
  }

  return {
    debug: (message, context = {}) => emit("DEBUG", message, context),
    info: (message, context = {}) => emit("INFO", message, context),
    warn: (message, context = {}) => emit("WARN", message, context),
    error: (message, context = {}, error) => emit("ERROR", message, context, error),
  };
}
