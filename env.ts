import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const durationMs = z.coerce.number().int().min(0).max(3_600_000);

/**
 * Every environment variable Opsdeck reads, validated once at start.
 * docs/config.md lists them for operators; keep the two in step.
 *
 * One variable is read elsewhere on purpose: `instrumentation.ts` checks
 * `process.env.NEXT_RUNTIME`, which Next sets (and inlines at build time) to say
 * which runtime is loading the file, before this module may be imported there.
 */
export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    OPSDECK_URL: z.url().optional(),
    OPSDECK_CONFIG: z.string().min(1).default("./opsdeck.yaml"),
    OPSDECK_DATA_DIR: z.string().min(1).default("./data"),
    /** The config file is managed elsewhere (mounted from git): forms show YAML to copy instead of saving. */
    OPSDECK_CONFIG_READONLY: bool.default(false),
    OPSDECK_ADMIN_EMAIL: z.email().optional(),
    OPSDECK_ADMIN_PASSWORD: z
      .string()
      .min(12, "must be at least 12 characters")
      .max(256, "must be at most 256 characters")
      .optional(),
    OPSDECK_ADMIN_NAME: z.string().min(1).max(100).optional(),
    OPSDECK_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    OPSDECK_AUDIT_KEY: z.string().min(32, "must be at least 32 characters").optional(),
    OPSDECK_FORCE_HTTPS: bool.default(false),
    OPSDECK_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    OPSDECK_METRICS_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
    OPSDECK_SHUTDOWN_TIMEOUT_MS: durationMs.default(30_000),
    OPSDECK_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    SENTRY_DSN: z.url().optional(),
    SENTRY_ENVIRONMENT: z.string().min(1).optional(),
    SENTRY_RELEASE: z.string().min(1).optional(),
  },
  client: {},
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
});

/**
 * Value of an arbitrary variable named by the config file (`${VAR}`).
 * The config names its own variables, so they cannot be listed above.
 */
export function readEnvVar(name: string): string | undefined {
  const value = process.env[name];
  return value === "" ? undefined : value;
}

/** What every spawned program needs to run at all; nothing in it is a secret. */
const CHILD_BASE = ["PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR"];

/**
 * The environment of a spawned program (a deploy command, a backup dump, a restore
 * hook): an allow-list, never Opsdeck's whole environment. PATH, HOME, LANG, TZ,
 * TMPDIR and LC_*, the variables the config names for it (`env: [NAME, …]`), and
 * `extra` (the OPSDECK_TARGET_* values the caller adds). An OPSDECK_* variable of
 * Opsdeck's own (OPSDECK_SECRET, OPSDECK_ADMIN_PASSWORD, …) is never passed, even if named.
 */
export function childEnv(
  extra: Record<string, string> = {},
  names: readonly string[] = [],
): NodeJS.ProcessEnv {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    const wanted = CHILD_BASE.includes(name) || name.startsWith("LC_") || names.includes(name);
    if (wanted && !name.startsWith("OPSDECK_")) out[name] = value;
  }
  // Next's types declare NODE_ENV always present; a child does not need Opsdeck's.
  return { ...out, ...extra } as NodeJS.ProcessEnv;
}
