import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const durationMs = z.coerce.number().int().min(0).max(3_600_000);

/**
 * Every environment variable Opsdeck reads, validated once at start.
 * docs/config.md lists them for operators; keep the two in step.
 */
export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    OPSDECK_URL: z.url().optional(),
    OPSDECK_CONFIG: z.string().min(1).default("./opsdeck.yaml"),
    OPSDECK_DATA_DIR: z.string().min(1).default("./data"),
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
    OPSDECK_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
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

/** The environment a spawned program (a deploy command, a backup dump) inherits, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
