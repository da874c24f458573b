// GET|POST /api/v1/query_range — Prometheus's range query, over the metrics store
import { promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";
import { queryInWorker } from "@/server/tsdb/query-pool";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.query_range", async (params) => {
  // Evaluated in the query worker: a heavy query never holds the thread that serves pages.
  const { data, timing } = await queryInWorker("range", params);
  return promSuccess(data, { opsdeck: timing });
});
export { route as GET, route as POST };
