import "server-only";
import { getConfig } from "@/server/config";
import type { RouteLimits } from "./route-limits";

/** The budgets every /api/ingest/* route shares (config key `ingest`). */
export const INGEST_RATE_LIMIT = {
  name: "ingest",
  limits: (): RouteLimits => getConfig().config.ingest,
};
