// POST /v1/metrics — OTLP/HTTP metrics (protobuf or JSON, gzip accepted), per push source token
import { decodeOtlpMetrics } from "@/lib/metrics/otlp";
import { PushDecodeError } from "@/lib/metrics/push";
import { getConfig } from "@/server/config";
import { INGEST_RATE_LIMIT } from "@/server/http/ingest-limit";
import { apiRoute } from "@/server/http/route";
import { otlpResponse } from "@/server/tsdb/otlp-response";
import {
  PUSH_AUTH,
  PUSH_UNAUDITED,
  pushBody,
  pushLimits,
  pushSourceOf,
  storePush,
} from "@/server/tsdb/push";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "metrics.otlp",
  auth: PUSH_AUTH,
  rateLimit: INGEST_RATE_LIMIT,
  unaudited: PUSH_UNAUDITED,
  handler: async ({ req, bearer }) => {
    const { config } = getConfig();
    const source = pushSourceOf(bearer, config);
    const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const format = type === "application/json" ? "json" : "protobuf";
    if (type !== "application/x-protobuf" && type !== "application/json")
      return otlpResponse(format, 415, {
        message: "send application/x-protobuf or application/json",
      });
    const limits = pushLimits(config);
    try {
      const body = await pushBody(req, limits, "allowed");
      const result = decodeOtlpMetrics(body, type, limits);
      storePush(source, result.series);
      return otlpResponse(format, 200, {
        rejected: result.rejectedDataPoints,
        message: result.warnings.join("; "),
      });
    } catch (err) {
      if (err instanceof PushDecodeError)
        return otlpResponse(format, err.status, { message: err.message });
      throw err;
    }
  },
});
