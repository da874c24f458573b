// GET|POST /api/v1/labels — label names of the series with data in [start, end], or of those match[] selects
import { labelNames, listingResponse, parseLookup } from "@/server/tsdb/prom-metadata";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.labels", (params) =>
  listingResponse(labelNames(parseLookup(params, "labels"))),
);
export { route as GET, route as POST };
