// GET|POST /api/v1/query — Prometheus's instant query, over the metrics store
import { promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";
import { queryInWorker } from "@/server/tsdb/query-pool";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.query", async (params) => {
  // Evaluated in the query worker: a heavy query never holds the thread that serves pages.
  const { data, timing } = await queryInWorker("instant", params);
  return promSuccess(data, { opsdeck: timing });
});
export { route as GET, route as POST };
