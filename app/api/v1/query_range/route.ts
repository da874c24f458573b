// GET|POST /api/v1/query_range — Prometheus's range query, over the metrics store
import { promSuccess, rangeQuery } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.query_range", (params) => {
  const { data, timing } = rangeQuery(params);
  return promSuccess(data, { opsdeck: timing });
});
export { route as GET, route as POST };
