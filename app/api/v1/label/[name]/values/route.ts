// GET /api/v1/label/<name>/values — a label's values, of every series or of those match[] selects
import { labelValues, parseMatchers, promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

export const GET = promRoute("metrics.label_values", (params, pathname) => {
  const name = decodeURIComponent(pathname.split("/").at(-2) ?? "");
  return promSuccess(labelValues(name, parseMatchers(params, false)));
});
