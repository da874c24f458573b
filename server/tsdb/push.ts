import "server-only";
import zlib from "node:zlib";
import type { DecodeLimits, PushedSeries } from "@/lib/metrics/push";
import { PushDecodeError } from "@/lib/metrics/push";
import type { OpsdeckConfig } from "@/server/config/schema";
import { getConfig } from "@/server/config";
import { HttpError, readRawBody, type RouteAuth, type RouteBearer } from "@/server/http/route";
import { getMetricsDb } from "./db";
import { enqueuePush } from "./inbox";
import { sortLabels } from "./labels";

type PushSource = OpsdeckConfig["metrics"]["push"][number];

const pushActor = (source: PushSource) => `push:${source.id}`;

/** Who may push: a `metrics.push` source's bearer token (each names its source in the log). */
export const PUSH_AUTH: RouteAuth = {
  bearer: () =>
    getConfig().config.metrics.push.map((p) => ({ actor: pushActor(p), token: p.token.reveal() })),
  openWhenUnset: false,
  actor: "push",
};

export const PUSH_UNAUDITED =
  "machine pushes of samples, like heartbeat pings: counted, not audited";

/**
 * The push source whose token let the request in: the route compared the token once
 * and names its actor; a source removed by a reload since then is refused.
 */
export function pushSourceOf(bearer: RouteBearer | null, config: OpsdeckConfig): PushSource {
  const source = bearer && config.metrics.push.find((p) => pushActor(p) === bearer.actor);
  if (!source) throw new HttpError(401, "A valid bearer token is required.");
  return source;
}

/** A push's limits: the scrape limits, so a pushed body can hold what a scrape may. */
export function pushLimits(config: OpsdeckConfig): DecodeLimits {
  const l = config.scrape.limits;
  return {
    maxBodyBytes: l.bodyBytes,
    maxSeries: l.samples,
    maxSamples: l.samples,
    maxLabelNameLength: l.labelNameLength,
    maxLabelValueLength: l.labelValueLength,
    maxLabels: l.labels,
  };
}

/**
 * The body as sent, and for OTLP with `Content-Encoding: gzip` inflated, with the same
 * limit on what it inflates to (a gzip bomb is refused, never inflated in full).
 */
export async function pushBody(
  req: Request,
  limits: DecodeLimits,
  gzip: "allowed" | "refused",
): Promise<Uint8Array> {
  const raw = await readRawBody(req, limits.maxBodyBytes);
  const encoding = (req.headers.get("content-encoding") ?? "").toLowerCase();
  if (gzip === "allowed" && encoding === "gzip") {
    try {
      return zlib.gunzipSync(raw, { maxOutputLength: limits.maxBodyBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
        throw new PushDecodeError(413, `the body inflates past ${limits.maxBodyBytes} bytes`);
      throw new PushDecodeError(400, "the body is not valid gzip");
    }
  }
  return raw;
}

/**
 * Stores decoded series durably (the inbox row is committed before this returns) under
 * the source's service and environment when they carry none; the metrics thread writes
 * them within a second. Returns the number of samples.
 */
export function storePush(source: PushSource, series: PushedSeries[]): number {
  const labelled = series.map((s) => {
    const names = new Set(s.labels.map(([n]) => n));
    const labels = [...s.labels];
    if (!names.has("service")) labels.push(["service", source.service]);
    if (!names.has("environment")) labels.push(["environment", source.environment]);
    return { labels: sortLabels(labels), t: s.t, v: s.v };
  });
  if (labelled.length === 0) return 0;
  return enqueuePush(getMetricsDb(), source.id, labelled);
}
