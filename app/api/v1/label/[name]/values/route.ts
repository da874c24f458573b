// GET /api/v1/label/<name>/values — a label's values among the series with data in [start, end], or those match[] selects
import {
  labelNameParam,
  labelValues,
  listingResponse,
  parseLookup,
} from "@/server/tsdb/prom-metadata";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

export const GET = promRoute("metrics.label_values", (params, pathname) => {
  const name = labelNameParam(pathname);
  return listingResponse(labelValues(name, parseLookup(params, "label_values")));
});
