// POST /api/v1/write — Prometheus remote write 1.0 (snappy-compressed protobuf), per push source token
import { decodeRemoteWrite } from "@/lib/metrics/remote-write";
import { PushDecodeError } from "@/lib/metrics/push";
import { getConfig } from "@/server/config";
import { INGEST_RATE_LIMIT } from "@/server/http/ingest-limit";
import { apiRoute } from "@/server/http/route";
import {
  PUSH_AUTH,
  PUSH_UNAUDITED,
  pushBody,
  pushLimits,
  pushSourceOf,
  storePush,
} from "@/server/tsdb/push";

export const dynamic = "force-dynamic";

const text = (status: number, message: string) =>
  new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });

export const POST = apiRoute({
  name: "metrics.remote_write",
  auth: PUSH_AUTH,
  rateLimit: INGEST_RATE_LIMIT,
  unaudited: PUSH_UNAUDITED,
  handler: async ({ req, bearer }) => {
    const { config } = getConfig();
    const source = pushSourceOf(bearer, config);
    if ((req.headers.get("content-encoding") ?? "").toLowerCase() !== "snappy")
      return text(415, "remote write bodies are snappy-compressed: send Content-Encoding: snappy");
    if (!/^application\/x-protobuf\b/i.test(req.headers.get("content-type") ?? ""))
      return text(
        415,
        "remote write bodies are protobuf: send Content-Type: application/x-protobuf",
      );
    const limits = pushLimits(config);
    try {
      const series = decodeRemoteWrite(await pushBody(req, limits, "refused"), limits);
      storePush(source, series);
    } catch (err) {
      if (err instanceof PushDecodeError) return text(err.status, err.message);
      throw err;
    }
    return new Response(null, { status: 204 });
  },
});
