// @ts-check
import { randomUUID } from "node:crypto";
import { BlockList, isIP } from "node:net";

/** An error that is the client's to fix (or a deliberate 5xx): answered as {"error": message}. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {Record<string, string>} [headers]
   */
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** Returned instead of a reply when chaos wants the request to hang. */
export const HOLD = Symbol("hold");

/**
 * @typedef {object} Reply
 * @property {number} status
 * @property {unknown} body Serialised as JSON, or written as is when contentType is set.
 * @property {string} [contentType]
 */

/**
 * @typedef {object} RequestContext
 * @property {import("node:http").IncomingMessage} req
 * @property {{ requestId: string, endpoint: string }} logContext
 */

/** @typedef {(ctx: RequestContext) => Reply | Promise<Reply>} Handler */

/**
 * @typedef {object} Route
 * @property {"health" | "api" | "none"} chaos Which injected faults this route suffers.
 * @property {boolean} [loopbackOnly]
 * @property {Partial<Record<string, Handler>>} methods
 */

/**
 * @typedef {object} Chaos
 * @property {(kind: "health" | "api", signal: AbortSignal) => Promise<typeof HOLD | undefined>} intercept
 * @property {(res: import("node:http").ServerResponse) => void} hold
 */

export const MAX_BODY_BYTES = 16 * 1024;

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * True for 127.0.0.0/8 and ::1 in any spelling, including IPv4-mapped IPv6
 * (::ffff:127.0.0.1) which is what a dual-stack socket reports for IPv4 clients.
 * @param {string | undefined} address
 */
export function isLoopback(address) {
  const family = isIP(address ?? "");
  if (family === 0) return false;
  return loopback.check(/** @type {string} */ (address), family === 4 ? "ipv4" : "ipv6");
}

/** Client-supplied ids end up in log lines, so only short, plain ones are kept. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** @param {import("node:http").IncomingMessage} req */
function requestIdOf(req) {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES: 415 unless it is declared as JSON, 413 when
 * larger (the connection is then closed rather than drained), 400 when it does not parse.
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<unknown>}
 */
export async function readJsonBody(req) {
  if (!/^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(req.headers["content-type"] ?? "")) {
    throw new HttpError(415, "send the body as JSON (Content-Type: application/json)");
  }
  if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) throw tooLarge();
  const text = (await readLimited(req)).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
}

function tooLarge() {
  return new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`, {
    connection: "close",
  });
}

/**
 * Rejects as soon as the body passes the limit, so a chunked upload without a
 * Content-Length is refused early too.
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<Buffer>}
 */
function readLimited(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on("data", (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(tooLarge());
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * The body as a plain object with no keys beyond `allowed`; anything else is a 400.
 * @param {unknown} body
 * @param {readonly string[]} allowed
 * @returns {Record<string, unknown>}
 */
export function expectFields(body, allowed) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, `expected a JSON object with ${allowed.join(", ")}`);
  }
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new HttpError(400, `unknown field "${unknown}"; allowed: ${allowed.join(", ")}`);
  }
  return /** @type {Record<string, unknown>} */ (body);
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {Reply} reply
 * @param {Record<string, string>} [headers]
 */
function send(res, reply, headers = {}) {
  const text = reply.contentType ? String(reply.body) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": reply.contentType ?? "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

/**
 * @typedef {object} ListenerDeps
 * @property {Map<string, Route>} routes Keyed by exact path; the key doubles as the metric label.
 * @property {Chaos} chaos
 * @property {import("./metrics.mjs").Metrics} metrics
 * @property {import("./log.mjs").Logger} log
 * @property {AbortSignal} shutdown Aborted when the server stops, ending chaos delays.
 * @property {(kind: "health" | "api", signal: AbortSignal) => Promise<void>} [release]
 *   The served version's own bug, if it has one (a bad release), after chaos.
 */

/**
 * The one request path: routing, loopback guard, chaos, the handler, and then metrics
 * and a log line for every answered request.
 * @param {ListenerDeps} deps
 * @returns {import("node:http").RequestListener}
 */
export function createRequestListener({ routes, chaos, metrics, log, shutdown, release }) {
  /**
   * @param {Route | undefined} route
   * @param {string} method
   * @param {RequestContext} ctx
   * @returns {Promise<Reply | typeof HOLD>}
   */
  async function dispatch(route, method, ctx) {
    if (!route) throw new HttpError(404, `no route for ${ctx.logContext.endpoint}`);
    if (route.loopbackOnly && !isLoopback(ctx.req.socket.remoteAddress)) {
      throw new HttpError(403, "this endpoint only answers requests from loopback");
    }
    const handler = route.methods[method];
    if (!handler) {
      const allow = Object.keys(route.methods).join(", ");
      throw new HttpError(405, `${method} is not allowed here; use ${allow}`, { allow });
    }
    if (route.chaos !== "none" && (await chaos.intercept(route.chaos, shutdown)) === HOLD) {
      return HOLD;
    }
    if (route.chaos !== "none") await release?.(route.chaos, shutdown);
    return handler(ctx);
  }

  return async (req, res) => {
    const startedAt = performance.now();
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = routes.get(path);
    const logContext = { requestId: requestIdOf(req), endpoint: `${method} ${path}` };
    /** @type {unknown} */
    let failure;

    res.setHeader("x-request-id", logContext.requestId);
    res.on("finish", () => {
      const status = res.statusCode;
      // Unknown paths share one label so scanners cannot blow up the series count.
      const labels = { method, route: route ? path : "unmatched", status: String(status) };
      metrics.requestDuration.observe(labels, (performance.now() - startedAt) / 1000);
      metrics.requestsTotal.inc(labels);
      const context = {
        ...logContext,
        status,
        durationMs: Math.round(performance.now() - startedAt),
      };
      if (status >= 500) log.error("request failed", context, failure);
      else if (path !== "/metrics") log.debug("request completed", context);
    });

    try {
      const reply = await dispatch(route, method, { req, logContext });
      if (reply === HOLD) chaos.hold(res);
      else send(res, reply);
    } catch (error) {
      // Stopping aborts chaos delays and drops every socket: there is no one left to answer.
      if (shutdown.aborted) return;
      if (error instanceof HttpError) {
        if (error.status >= 500) failure = error;
        send(res, { status: error.status, body: { error: error.message } }, error.headers);
      } else {
        failure = error;
        send(res, { status: 500, body: { error: "internal server error" } });
      }
    }
  };
}
