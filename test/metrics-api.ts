// Calling Opsdeck's Prometheus API route handlers (/api/v1/*) in a test as an HTTP client
// would: a metrics API token in the config, requests with the headers a client sends.
import { getConfig, setConfigForTests } from "@/server/config";
import type { MetricsConfig } from "@/server/config/metrics-schema";
import { SecretValue } from "@/server/config/secret-value";

export const TOKEN_ID = "grafana";
export const TOKEN = "grafana-replay-token-0123456789abcdef";
export const BEARER = { authorization: `Bearer ${TOKEN}` };
/** Grafana's "Basic authentication" with the token's id as the user, the token as the password. */
export const BASIC = {
  authorization: `Basic ${Buffer.from(`${TOKEN_ID}:${TOKEN}`).toString("base64")}`,
};

/** The loaded config, with one metrics API token and the given datasource (default: built-in). */
export function installMetricsToken(datasource?: MetricsConfig["datasource"]): void {
  const config = getConfig().config;
  setConfigForTests({
    ...config,
    metrics: {
      ...config.metrics,
      apiTokens: [{ id: TOKEN_ID, token: new SecretValue(TOKEN) }],
      datasource: datasource ?? { type: "builtin" },
    },
  });
}

type Handler = (
  req: Request,
  segment: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;

/**
 * Calls a route handler with a request for `path` (with its query string). A `form` is
 * sent as the POST body, already encoded, with the form content type.
 */
export function callRoute(
  handler: Handler,
  path: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    form?: string;
    params?: Record<string, string>;
  } = {},
): Promise<Response> {
  const method = opts.method ?? (opts.form === undefined ? "GET" : "POST");
  const headers: Record<string, string> = { host: "opsdeck.test", ...opts.headers };
  if (opts.form !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded";
  const req = new Request(`http://opsdeck.test${path}`, { method, headers, body: opts.form });
  return handler(req, { params: Promise.resolve(opts.params ?? {}) });
}
