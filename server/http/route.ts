import "server-only";
import type { z } from "zod";
import type { ActionIssue } from "@/lib/action-result";
import { hasRole, type Role } from "@/lib/roles";
import { env } from "@/env";
import { auditedCommitter, type Committer } from "@/server/audit/commit";
import { recordAudit, type RequestMeta } from "@/server/audit/write";
import { zodIssues } from "@/server/auth/action";
import { getSessionUser, type SessionUser } from "@/server/auth/session";
import { getDb, type Db } from "@/server/db";
import { logger } from "@/server/logger";
import { captureError } from "@/server/sentry";
import {
  ServiceError,
  type Actor,
  type IntegrationScope,
  type Service,
} from "@/server/services/service";
import { metaFromHeaders } from "./request-meta";
import {
  DEFAULT_FAILED_AUTH,
  requestGuard,
  TooManyRequests,
  type RouteLimits,
} from "./route-limits";
import { sameToken } from "./token";

/** Who may call a route: anyone, a signed-in role, or a bearer token (open when the token is not configured). */
export type RouteAuth =
  | "public"
  | Role
  | {
      /** One token, or several (one per integration, each naming its actor in the audit log). */
      bearer: () =>
        string | undefined | { actor: string; token: string; scope?: IntegrationScope }[];
      openWhenUnset: boolean;
      actor: string;
      /** A signed-in user of at least this role may call it too, without a token (Grafana's token, or the app's own pages). */
      session?: Role;
    };

/** The bearer token entry a request was let in by: its actor and scope, never the token. */
export type RouteBearer = { actor: string; scope?: IntegrationScope };

export type RouteContext<P, Q, B> = {
  req: Request;
  params: P;
  query: Q;
  body: B;
  user: SessionUser | null;
  /**
   * Whose token it was, on a bearer route that checked one (null for a session, or a
   * route left open), so a handler serving several tokens never compares them again.
   */
  bearer: RouteBearer | null;
  meta: RequestMeta;
  db: Db;
  commit: Committer["commit"];
  /** Runs a service as this route's caller (the user, or the integration the token names). */
  call<I, T>(service: Service<I, T>, input: I): Promise<T>;
  /**
   * For a token the handler checks itself (a heartbeat's ping URL): a wrong one counts
   * against the address and is audited with the route's other refusals; an accepted one
   * spends its own budget (429 when it is used up). No-ops on a route without limits.
   */
  tokenRefused(): void;
  tokenAccepted(key: string): void;
};

export const ROUTE_BRAND = Symbol.for("opsdeck.route");
export type RouteMeta = { name: string; auth: string; audited: boolean };
type Handler = (
  req: Request,
  segment: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;
export type BrandedRoute = Handler & { [ROUTE_BRAND]: RouteMeta };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: ActionIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const DEFAULT_MAX_BODY = 64 * 1024;

export function jsonError(
  status: number,
  error: string,
  extra?: Record<string, unknown>,
  headers?: HeadersInit,
): Response {
  return Response.json(
    { error, ...extra },
    { status, headers: { "cache-control": "no-store", ...headers } },
  );
}

/** Browsers send Origin on every cross-site POST; a session mutation must come from our own pages. */
function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin) {
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
    const allowed = new Set<string>();
    if (env.OPSDECK_URL) allowed.add(new URL(env.OPSDECK_URL).origin);
    if (host) {
      allowed.add(`http://${host}`);
      allowed.add(`https://${host}`);
    }
    return allowed.has(origin);
  }
  return req.headers.get("sec-fetch-site") === "same-origin";
}

/** Reads the body as bytes, 413 once it passes `maxBytes` (the rest is not read). */
export async function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes)
    throw new HttpError(413, `Request body is larger than ${maxBytes} bytes.`);
  const reader = req.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new HttpError(413, `Request body is larger than ${maxBytes} bytes.`);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body with a size limit: 415 for another type, 413 when too large, 400 when not JSON. */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(415, "Send the body as JSON (Content-Type: application/json).");
  }
  const text = (await readRawBody(req, maxBytes)).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "Request body is empty; expected JSON.");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "Request body is not valid JSON.");
  }
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, what: string): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new HttpError(400, `Invalid ${what}: ${issues[0]?.message ?? "see issues"}`, issues);
  }
  return parsed.data;
}

/**
 * The one way to write a route handler: authentication (401), role (403, audited),
 * same-origin check for session mutations (403), body limits and content type
 * (413, 415), zod validation of params, query and body (400 with issues), and an
 * audit row in the same transaction as any change. Never a 500 for bad input.
 */
export function apiRoute<P = undefined, Q = undefined, B = undefined>(def: {
  name: string;
  auth: RouteAuth;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  maxBodyBytes?: number;
  /** Set, with the reason, only for a mutation that records no audit row (e.g. machine pings). */
  unaudited?: string;
  /**
   * Per-address and per-token budgets (429 with Retry-After once spent). Routes sharing
   * a `name` share the budgets; refusals are audited once per key per minute as
   * `<name>.throttled`, with a count. Bearer routes without it still throttle wrong tokens.
   */
  rateLimit?: { name: string; limits: () => RouteLimits };
  handler: (ctx: RouteContext<P, Q, B>) => Promise<Response | unknown> | Response | unknown;
}): BrandedRoute {
  const handler: Handler = async (req, segment) => {
    const meta = metaFromHeaders(req.headers);
    const log = logger.child({ context: { requestId: meta.requestId, endpoint: def.name } });
    const mutating = !SAFE_METHODS.has(req.method);
    let user: SessionUser | null = null;
    let committer: Committer | undefined;
    try {
      const guard = def.rateLimit
        ? requestGuard(def.rateLimit.name, def.rateLimit.limits(), meta)
        : typeof def.auth === "object"
          ? requestGuard(def.name, { failedAuth: DEFAULT_FAILED_AUTH }, meta)
          : null;
      // Before the database, the body or the session: a refused request must cost nothing.
      guard?.admit();
      const db = getDb();
      let actor = { id: null as number | null, name: "anonymous", role: null as string | null };
      let bearer: RouteBearer | null = null;
      const sessionRole =
        typeof def.auth === "string"
          ? def.auth === "public"
            ? undefined
            : def.auth
          : def.auth.session && !req.headers.has("authorization")
            ? def.auth.session
            : undefined;
      if (sessionRole) {
        user = await getSessionUser();
        if (!user) throw new HttpError(401, "Sign in first.");
        actor = { id: user.id, name: user.email, role: user.role };
        if (!hasRole(user.role, sessionRole)) {
          recordAudit(db, actor, meta, {
            action: def.name,
            outcome: "denied",
            details: { required: sessionRole },
          });
          throw new HttpError(403, `This needs the ${sessionRole} role; you are ${user.role}.`);
        }
        if (mutating && !sameOrigin(req)) {
          recordAudit(db, actor, meta, {
            action: def.name,
            outcome: "denied",
            details: { reason: "cross_origin" },
          });
          throw new HttpError(403, "Cross-site request refused.");
        }
      } else if (typeof def.auth === "object") {
        const expected = def.auth.bearer();
        const accepted =
          expected === undefined
            ? []
            : typeof expected === "string"
              ? [{ actor: def.auth.actor, token: expected }]
              : expected;
        actor = { id: null, name: def.auth.actor, role: null };
        if (accepted.length > 0 || !def.auth.openWhenUnset) {
          const header = req.headers.get("authorization") ?? "";
          const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
          const match = given ? accepted.find((a) => sameToken(given, a.token)) : undefined;
          if (!match) {
            guard?.failedToken();
            throw new HttpError(401, "A valid bearer token is required.", undefined, {
              "www-authenticate": 'Bearer realm="opsdeck"',
            });
          }
          actor = { id: null, name: match.actor, role: null };
          bearer = { actor: match.actor, scope: match.scope };
          guard?.token(match.actor, match.actor);
        }
      }

      const url = new URL(req.url);
      const params = parseWith(def.params, await segment.params, "path");
      const query = parseWith(def.query, Object.fromEntries(url.searchParams), "query");
      const body = def.body
        ? parseWith(def.body, await readJsonBody(req, def.maxBodyBytes ?? DEFAULT_MAX_BODY), "body")
        : (undefined as B);

      committer = auditedCommitter(db, actor, meta, def.name);
      let serviceCommitted = false;
      const serviceActor: Actor | null = user
        ? { kind: "user", id: user.id, email: user.email, role: user.role }
        : typeof def.auth === "object"
          ? { kind: "integration", name: actor.name, scope: bearer?.scope }
          : null;
      const result = await def.handler({
        req,
        params,
        query,
        body,
        user,
        bearer,
        meta,
        db,
        commit: committer.commit,
        async call(service, input) {
          if (!serviceActor) throw new HttpError(401, "Sign in first.");
          const out = await service({ actor: serviceActor, db, meta }, input);
          serviceCommitted = true;
          return out;
        },
        tokenRefused: () => guard?.failedToken(),
        tokenAccepted: (key) => guard?.token(key, key),
      });
      if (mutating && !def.unaudited && !committer?.committed && !serviceCommitted) {
        throw new Error(`${def.name} finished without recording its audit entry`);
      }
      if (result instanceof Response) return result;
      return Response.json(result ?? { ok: true }, { headers: { "cache-control": "no-store" } });
    } catch (err) {
      if (err instanceof TooManyRequests) {
        return jsonError(
          429,
          err.message,
          { requestId: meta.requestId ?? undefined },
          { "retry-after": String(err.retryAfterSeconds) },
        );
      }
      if (err instanceof HttpError || err instanceof ServiceError) {
        return jsonError(
          err.status,
          err.message,
          { issues: err.issues, requestId: meta.requestId ?? undefined },
          err.headers,
        );
      }
      log.error(
        {
          error: err,
          context: { requestId: meta.requestId, endpoint: def.name, userId: user?.id },
        },
        "route failed",
      );
      captureError(err, { route: def.name, requestId: meta.requestId });
      return jsonError(500, "Internal error; see the server log for this request id.", {
        requestId: meta.requestId ?? undefined,
      });
    }
  };
  const auth = typeof def.auth === "object" ? "bearer" : def.auth;
  return Object.assign(handler, {
    [ROUTE_BRAND]: { name: def.name, auth, audited: !def.unaudited },
  });
}
