// GET /api/v1/metadata — HELP, TYPE and UNIT of each metric family scraped
import { metadata, PromApiError, promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";

export const dynamic = "force-dynamic";

export const GET = promRoute("metrics.metadata", (params) => {
  const limitText = params.get("limit");
  const limit = limitText === null || limitText === "" ? -1 : Number(limitText);
  if (!Number.isInteger(limit))
    throw new PromApiError("bad_data", `invalid parameter "limit": cannot parse "${limitText}"`);
  return promSuccess(metadata(params.get("metric"), limit));
});
