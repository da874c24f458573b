// GET|POST /api/v1/query — Prometheus's instant query, over the metrics store
import { instantQuery, promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.query", (params) => {
  const { data, timing } = instantQuery(params);
  return promSuccess(data, { opsdeck: timing });
});
export { route as GET, route as POST };
