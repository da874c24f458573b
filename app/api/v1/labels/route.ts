// GET|POST /api/v1/labels — label names, of every series or of those match[] selects
import { labelNames, parseMatchers, promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.labels", (params) =>
  promSuccess(labelNames(parseMatchers(params, false))),
);
export { route as GET, route as POST };
