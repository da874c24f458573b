// GET|POST /api/v1/query_exemplars — Prometheus's exemplar query; Opsdeck keeps no exemplars
import { promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";
import { queryExemplars } from "@/server/tsdb/prom-status";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.query_exemplars", (params) => {
  const data = queryExemplars(params);
  // No selector in the query: no answer, as Prometheus's 204.
  return data === null
    ? new Response(null, { status: 204, headers: { "cache-control": "no-store" } })
    : promSuccess(data);
});
export { route as GET, route as POST };
