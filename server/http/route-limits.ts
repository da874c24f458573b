import "server-only";
import client from "prom-client";
import { recordAudit, type RequestMeta } from "@/server/audit/write";
import { getDb } from "@/server/db";
import { logger } from "@/server/logger";
import { addressKey, Buckets, DenialLog, type DenialSummary, type RateLimit } from "./rate-limit";

/** What a rate-limited route allows; read on every request, so a config reload applies. */
export type RouteLimits = {
  /** Requests per client address (IPv6: per /64). */
  perAddress?: RateLimit;
  /** Requests per accepted token: per integration, per heartbeat monitor. */
  perIntegration?: RateLimit;
  /** Wrong tokens per address; past it the address is refused until its budget refills. */
  failedAuth: RateLimit;
};

/** Wrong tokens allowed per address on a bearer route with no limits of its own. */
export const DEFAULT_FAILED_AUTH: RateLimit = { requests: 10, perMs: 60_000 };
/** One audit row per key per this window. */
export const DENIAL_WINDOW_MS = 60_000;
const SWEEP_MS = 5_000;

type State = {
  refused: client.Counter<"limiter" | "reason">;
  address: Buckets;
  token: Buckets;
  failed: Buckets;
  denials: DenialLog;
  sweeper?: ReturnType<typeof setInterval>;
};
const global = globalThis as unknown as { __opsdeckRouteLimits?: State };

function state(): State {
  global.__opsdeckRouteLimits ??= {
    // Reused across a reset: prom-client registers each name once per process.
    refused:
      (client.register.getSingleMetric("opsdeck_http_refused_total") as
        State["refused"] | undefined) ??
      new client.Counter({
        name: "opsdeck_http_refused_total",
        help: "Requests refused by a rate limit or for a wrong token, by limiter and reason.",
        labelNames: ["limiter", "reason"] as const,
      }),
    address: new Buckets(),
    token: new Buckets(),
    failed: new Buckets(),
    denials: new DenialLog(DENIAL_WINDOW_MS),
  };
  return global.__opsdeckRouteLimits;
}

function writeSummary(s: DenialSummary): void {
  const meta: RequestMeta = { ip: s.ip, userAgent: null, requestId: null };
  const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
  recordAudit(getDb(), { id: null, name: s.actor, role: null }, meta, {
    action: `${s.limiter}.throttled`,
    outcome: "denied",
    targetType: "rate_limit",
    targetId: s.key,
    details: {
      refused: total,
      counts: s.counts,
      from: new Date(s.from).toISOString(),
      to: new Date(s.to).toISOString(),
      windowSeconds: DENIAL_WINDOW_MS / 1000,
    },
  });
}

/**
 * Writes one audit row for each key whose window has ended (all of them with `all`,
 * e.g. at shutdown). Called by a timer while refusals are pending; tests call it.
 */
export function flushRefusals(now = Date.now(), all = false): number {
  const s = state();
  try {
    return s.denials.flush(now, writeSummary, all);
  } catch (err) {
    logger.error({ error: err }, "could not write the rate-limit audit rows");
    return 0;
  } finally {
    if (s.denials.pending === 0 && s.sweeper) {
      clearInterval(s.sweeper);
      s.sweeper = undefined;
    }
  }
}

function note(limiter: string, key: string, actor: string, ip: string | null, reason: string) {
  const s = state();
  s.refused.inc({ limiter, reason });
  s.denials.note({ limiter, key, actor, ip, reason }, Date.now());
  if (!s.sweeper) {
    s.sweeper = setInterval(() => flushRefusals(), SWEEP_MS);
    s.sweeper.unref();
  }
}

/** A refusal with Retry-After, in whole seconds (at least 1). */
export class TooManyRequests extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(`${message}; retry in ${seconds} s.`);
    this.retryAfterSeconds = seconds;
  }
}

/**
 * The limits of one request to one route: `limiter` names the budget (routes sharing
 * a name share it) and the audit action (`<limiter>.throttled`).
 */
export function requestGuard(limiter: string, limits: RouteLimits, meta: RequestMeta) {
  const s = state();
  const address = addressKey(meta.ip);
  const addressKeyName = `address ${address}`;
  const refuse = (key: string, actor: string, reason: string, message: string, ms: number) => {
    note(limiter, key, actor, meta.ip, reason);
    return new TooManyRequests(message, ms);
  };
  return {
    /** Before anything else: the address's request budget, and whether it guessed wrong too often. */
    admit(): void {
      const now = Date.now();
      if (limits.perAddress) {
        const v = s.address.take(`${limiter}|${address}`, limits.perAddress, now);
        if (!v.ok)
          throw refuse(
            addressKeyName,
            "anonymous",
            "rate_limited",
            "Too many requests from this address",
            v.retryAfterMs,
          );
      }
      const blocked = s.failed.peek(`${limiter}|${address}`, limits.failedAuth, now);
      if (!blocked.ok)
        throw refuse(
          addressKeyName,
          "anonymous",
          "blocked_after_wrong_auth",
          "Too many requests with a wrong token from this address",
          blocked.retryAfterMs,
        );
    },
    /** A wrong or unknown token: counted against the address, and audited (summed per window). */
    failedToken(): void {
      s.failed.take(`${limiter}|${address}`, limits.failedAuth, Date.now());
      note(limiter, addressKeyName, "anonymous", meta.ip, "wrong_auth");
    },
    /** The budget of the token that was accepted (`key` names it, never its value). */
    token(key: string, actor: string): void {
      if (!limits.perIntegration) return;
      const v = s.token.take(`${limiter}|${key}`, limits.perIntegration, Date.now());
      if (!v.ok)
        throw refuse(key, actor, "rate_limited", `Too many requests for ${key}`, v.retryAfterMs);
    },
  };
}

/** Forgets every budget and pending refusal (tests). */
export function resetRouteLimitsForTests(): void {
  const s = global.__opsdeckRouteLimits;
  if (s?.sweeper) clearInterval(s.sweeper);
  global.__opsdeckRouteLimits = undefined;
}
