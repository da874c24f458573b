import "server-only";
import { getConfig } from "@/server/config";
import { readBasicAuth } from "@/server/http/credentials";
import { apiRoute, ROUTE_BRAND, type BrandedRoute } from "@/server/http/route";
import { sameToken } from "@/server/http/token";
import { logger } from "@/server/logger";
import { PromApiError, promError } from "./prom-errors";
import { forwardToDatasource } from "./remote-datasource";

/** Queries spend their own budget (the ingest limits' figures), not the ingest routes'. */
const QUERY_RATE_LIMIT = { name: "metrics-api", limits: () => getConfig().config.ingest };

/** The most a form-encoded POST query body may be (Prometheus has no limit; 1 MiB is plenty). */
const MAX_FORM_BYTES = 1024 * 1024;

/** A query's parameters: the URL's, and a form-encoded body's for POST (as Grafana sends). */
async function paramsOf(req: Request): Promise<URLSearchParams> {
  const params = new URL(req.url).searchParams;
  if (req.method !== "POST") return params;
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type))
    throw new PromApiError("bad_data", "POST bodies must be application/x-www-form-urlencoded");
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_FORM_BYTES) throw new PromApiError("bad_data", "request body too large");
  const text = await req.text();
  if (text.length > MAX_FORM_BYTES) throw new PromApiError("bad_data", "request body too large");
  for (const [k, v] of new URLSearchParams(text)) params.append(k, v);
  return params;
}

/**
 * One of Prometheus's read endpoints: a viewer's session or a metrics API token
 * (`metrics.apiTokens`, for Grafana and promtool), Prometheus's parameters and its
 * JSON answers and errors. With a `prometheus` datasource configured, the request goes
 * there unchanged and its answer comes back as it is — unless `local`: an answer about
 * this server itself (its build info), which the datasource's would misdescribe.
 */
export function promRoute(
  name: string,
  answer: (params: URLSearchParams, pathname: string) => Response | Promise<Response>,
  opts: { local?: boolean } = {},
): BrandedRoute {
  const route = promApiRoute(name, answer, opts.local ?? false);
  const handler = (req: Request, segment: Parameters<BrandedRoute>[1]) =>
    route(basicToBearer(req), segment);
  return Object.assign(handler, { [ROUTE_BRAND]: route[ROUTE_BRAND] });
}

/**
 * Basic auth with a token's id as the user and the token as the password, for clients
 * that can only put credentials in the URL (promtool 2.42: http://grafana:<token>@host).
 * Anything else in a Basic header is a wrong token.
 */
function basicToBearer(req: Request): Request {
  const basic = readBasicAuth(req.headers.get("authorization") ?? "");
  if (!basic) return req;
  const { username, password } = basic;
  const ok = getConfig().config.metrics.apiTokens.some(
    (t) => t.id === username && sameToken(password, t.token.reveal()),
  );
  const headers = new Headers(req.headers);
  headers.set("authorization", `Bearer ${ok ? password : "-"}`);
  // duplex: a POST's body is a stream, which undici passes on only when told so.
  return new Request(req, { headers, duplex: "half" } as RequestInit);
}

function promApiRoute(
  name: string,
  answer: (params: URLSearchParams, pathname: string) => Response | Promise<Response>,
  local: boolean,
): BrandedRoute {
  return apiRoute({
    name,
    auth: {
      bearer: () =>
        getConfig().config.metrics.apiTokens.map((t) => ({
          actor: `metrics-api:${t.id}`,
          token: t.token.reveal(),
        })),
      openWhenUnset: false,
      actor: "metrics-api",
      session: "viewer",
    },
    rateLimit: QUERY_RATE_LIMIT,
    unaudited: "a read: Prometheus's API takes queries by POST as well as GET",
    handler: async ({ req }) => {
      try {
        const query = await paramsOf(req);
        const { pathname } = new URL(req.url);
        const ds = getConfig().config.metrics.datasource;
        if (ds.type === "prometheus" && !local)
          return await forwardToDatasource(ds, pathname, query);
        return await answer(query, pathname);
      } catch (err) {
        if (err instanceof PromApiError) return promError(err.errorType, err.message);
        logger.error({ error: err, context: { endpoint: name } }, "metrics query failed");
        return promError("internal", "internal error; see the server log");
      }
    },
  });
}
