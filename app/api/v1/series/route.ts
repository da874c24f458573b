// GET|POST /api/v1/series — the label sets of the series match[] selects with data in [start, end]
import { listingResponse, parseLookup, seriesMatching } from "@/server/tsdb/prom-metadata";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

const route = promRoute("metrics.series", (params) =>
  listingResponse(seriesMatching(parseLookup(params, "series"))),
);
export { route as GET, route as POST };
