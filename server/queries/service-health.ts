import "server-only";
import type { OpsdeckConfig } from "@/server/config/schema";

export type ServiceHealth = {
  serviceId: string;
  environmentId: string;
  url: string;
  status: "up" | "down";
  httpStatus: number | null;
  responseMs: number | null;
  version: string | null;
  error: string | null;
  checkedAt: string;
};

const TIMEOUT_MS = 5_000;
const MAX_BODY = 64 * 1024;
const CACHE_MS = 5_000;
const cache = new Map<string, { at: number; result: Promise<ServiceHealth> }>();

/** Reads at most `max` bytes of a body, so a huge or endless answer cannot hold the page. */
async function readCapped(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).toString("utf8").slice(0, max);
}

/** One GET of a service's health URL: up when it answers 2xx with "ok" in the body. */
export async function probeHealth(
  serviceId: string,
  environmentId: string,
  url: string,
): Promise<ServiceHealth> {
  const started = performance.now();
  const base = { serviceId, environmentId, url, checkedAt: new Date().toISOString() };
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "manual",
      headers: { "user-agent": "Opsdeck health check", accept: "application/json, text/plain" },
      cache: "no-store",
    });
    const body = await readCapped(res, MAX_BODY);
    const responseMs = Math.round(performance.now() - started);
    let version: string | null = null;
    try {
      const json = JSON.parse(body) as { version?: unknown };
      if (typeof json.version === "string") version = json.version.slice(0, 50);
    } catch {
      // Not JSON: a plain "ok" body is fine.
    }
    const up = res.status >= 200 && res.status < 300 && /\bok\b/i.test(body);
    return {
      ...base,
      status: up ? "up" : "down",
      httpStatus: res.status,
      responseMs,
      version,
      error: up ? null : res.status >= 300 ? `HTTP ${res.status}` : 'body does not contain "ok"',
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason =
      e.name === "TimeoutError"
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : (e.cause?.code ?? e.message);
    return {
      ...base,
      status: "down",
      httpStatus: null,
      responseMs: null,
      version: null,
      error: reason,
    };
  }
}

/** Health of every service × environment in the config (cached for a few seconds). */
export function allServiceHealth(
  config: OpsdeckConfig,
  environmentId?: string,
): Promise<ServiceHealth[]> {
  const now = Date.now();
  const probes: Promise<ServiceHealth>[] = [];
  for (const service of config.services) {
    for (const [envId, target] of Object.entries(service.environments)) {
      if (environmentId && envId !== environmentId) continue;
      const url = `${target.url.replace(/\/+$/, "")}${target.healthPath}`;
      const key = `${service.id}/${envId}/${url}`;
      let hit = cache.get(key);
      if (!hit || now - hit.at > CACHE_MS) {
        hit = { at: now, result: probeHealth(service.id, envId, url) };
        cache.set(key, hit);
      }
      probes.push(hit.result);
    }
  }
  return Promise.all(probes);
}
