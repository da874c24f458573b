// GET /api/metrics — Opsdeck's own Prometheus metrics (bearer OPSDECK_METRICS_TOKEN when set)
import { env } from "@/env";
import { apiRoute } from "@/server/http/route";
import { metricsText } from "@/server/metrics";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "metrics",
  auth: { bearer: () => env.OPSDECK_METRICS_TOKEN, openWhenUnset: true, actor: "metrics-scraper" },
  handler: async () => {
    const { text, contentType } = await metricsText();
    return new Response(text, {
      headers: { "content-type": contentType, "cache-control": "no-store" },
    });
  },
});
