// GET /api/uptime/status — every monitor's current status and open incidents, for live pages
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/route";
import { uptimeStatus } from "@/server/queries/uptime-status";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "uptime.status",
  auth: "viewer",
  handler: ({ db }) => uptimeStatus(db, getConfig().config),
});
