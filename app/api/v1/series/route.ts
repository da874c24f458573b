// GET|POST /api/v1/series — the label sets of the series that match[] selects
import { parseMatchers, promSuccess, seriesMatching } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.series", (params) =>
  promSuccess(seriesMatching(parseMatchers(params, true))),
);
export { route as GET, route as POST };
