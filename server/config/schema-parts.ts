import "server-only";
import { Cron } from "croner";
import { z } from "zod";
import { parseDuration } from "@/lib/duration";
import { SecretValue } from "./secret-value";

// Building blocks shared by every part of the config schema.

export const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "expected an id of lowercase letters, digits and dashes (at most 63)",
  );

export const httpUrl = z
  .string()
  .url("expected an http(s) URL")
  .refine((u) => /^https?:\/\//.test(u), "expected an http(s) URL");

/** A credential: must come from the environment (`${VAR}`), never written in the file. */
export const secretString = z
  .string()
  .min(1, "expected a value")
  .transform((value) => new SecretValue(value));

/**
 * A credential Opsdeck itself checks or signs with (an ingest token, a heartbeat
 * token, a webhook signing secret): long enough that guessing it is hopeless.
 */
export const checkedSecret = z
  .string()
  .min(32, "must be at least 32 characters (try: openssl rand -hex 32)")
  .transform((value) => new SecretValue(value));

/**
 * Variables a command is given besides PATH, HOME, LANG, LC_*, TZ and its
 * OPSDECK_TARGET_* ones (env.ts childEnv): named here, never inherited wholesale.
 */
export const envNames = z
  .array(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name")
      .refine(
        (name) => !name.startsWith("OPSDECK_"),
        "OPSDECK_* variables are Opsdeck's own settings and secrets; they never reach a command",
      ),
  )
  .max(100)
  .optional();

/** A duration written as "500ms", "10s", "5m", "1h30m", "1d"; parsed to milliseconds. */
export const duration = (opts: { min?: number; max?: number } = {}) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `expected a duration such as "30s", "5m" or "1h", got "${text}"`,
      });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) {
      ctx.addIssue({ code: "custom", message: `must be at least ${opts.min / 1000}s` });
      return z.NEVER;
    }
    if (opts.max !== undefined && ms > opts.max) {
      ctx.addIssue({ code: "custom", message: `must be at most ${opts.max / 1000}s` });
      return z.NEVER;
    }
    return ms;
  });

/** A port, also when it comes from `${VAR}` (substitution always yields text). */
export const port = z
  .union([z.number(), z.string().regex(/^\d+$/, "expected a port number").transform(Number)])
  .pipe(
    z
      .number()
      .int()
      .min(1, "expected a port from 1 to 65535")
      .max(65535, "expected a port from 1 to 65535"),
  );

export const cron = z
  .string()
  .regex(/^(\S+\s+){4}\S+$/, 'expected a 5-field cron expression such as "30 3 * * *"')
  .refine((expr) => {
    try {
      new Cron(expr, { paused: true });
      return true;
    } catch {
      return false;
    }
  }, "is not a valid cron expression (minute hour day-of-month month day-of-week)");

/** A rate written as "600/1m" (requests per duration); parsed to { requests, perMs }. */
export const rate = z.string().transform((text, ctx) => {
  const m = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(text);
  const requests = m ? Number(m[1]) : NaN;
  const perMs = m ? parseDuration(m[2]!) : undefined;
  if (!m || !Number.isSafeInteger(requests) || requests < 1 || !perMs || perMs < 1000) {
    ctx.addIssue({
      code: "custom",
      message: `expected a rate such as "600/1m" (at least 1 request per at least 1s), got "${text}"`,
    });
    return z.NEVER;
  }
  return { requests, perMs };
});
