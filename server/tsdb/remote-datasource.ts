import "server-only";
import type { MetricsConfig } from "@/server/config/metrics-schema";
import { authorizationFor } from "@/server/http/credentials";
import { PromApiError } from "./prom-errors";

type PrometheusDatasource = Extract<MetricsConfig["datasource"], { type: "prometheus" }>;

/** An answer larger than this is refused rather than held in memory (64 MiB). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * Sends one of Prometheus's API requests to the configured Prometheus-compatible server
 * (Prometheus, Thanos, Mimir, VictoriaMetrics) and returns its answer as it is: the same
 * query language, the same JSON, so pages and rules work unchanged on either store.
 */
export async function forwardToDatasource(
  ds: PrometheusDatasource,
  pathname: string,
  params: URLSearchParams,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const base = ds.url.replace(/\/+$/, "");
  const headers: Record<string, string> = {
    Accept: "application/json",
    "Content-Type": "application/x-www-form-urlencoded",
  };
  const authorization = authorizationFor(ds);
  if (authorization) headers.Authorization = authorization;
  // Query endpoints by POST (long queries fit), the others by GET as Prometheus documents them.
  const byPost = /\/api\/v1\/(query|query_range|series|labels)$/.test(pathname);
  const url = byPost ? `${base}${pathname}` : `${base}${pathname}?${params}`;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: byPost ? "POST" : "GET",
      headers,
      body: byPost ? params.toString() : undefined,
      signal: AbortSignal.timeout(ds.timeout),
      redirect: "error",
    });
  } catch (err) {
    const reason =
      err instanceof Error && err.name === "TimeoutError"
        ? `no answer in ${ds.timeout / 1000}s`
        : "unreachable";
    throw new PromApiError("unavailable", `the prometheus datasource (${base}) is ${reason}`);
  }
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_ANSWER_BYTES) {
    await res.body?.cancel();
    throw new PromApiError(
      "unavailable",
      `the prometheus datasource answered ${declared} bytes (limit ${MAX_ANSWER_BYTES})`,
    );
  }
  const text = await res.text();
  if (text.length > MAX_ANSWER_BYTES)
    throw new PromApiError(
      "unavailable",
      `the prometheus datasource answered more than ${MAX_ANSWER_BYTES} bytes`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PromApiError(
      "unavailable",
      `the prometheus datasource answered HTTP ${res.status} without Prometheus's JSON`,
    );
  }
  if (res.status === 401 || res.status === 403)
    throw new PromApiError(
      "unavailable",
      `the prometheus datasource refused Opsdeck's credentials (HTTP ${res.status})`,
    );
  return Response.json(json, { status: res.status, headers: { "cache-control": "no-store" } });
}
