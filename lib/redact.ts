const SECRET_KEY =
  /pass(word)?|secret|token|authorization|cookie|api[-_]?key|private[-_]?key|credential|dsn/i;

/** Deep copy with every value under a credential-looking key replaced. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 8) return "[too deep]" as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}

/** Paths for pino's redact option: the same keys, at the depths logs use. */
export const LOG_REDACT_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "newPassword",
  "*.newPassword",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "*.clientSecret",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "cookie",
  "*.cookie",
];
