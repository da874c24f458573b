// GET /api/alerts — firing and pending alerts with silence and inhibition, for the live Alerts page
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/route";
import { activeAlerts } from "@/server/queries/alerts";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "alerts.active",
  auth: "viewer",
  handler: ({ db }) => ({ alerts: activeAlerts(db, getConfig().config) }),
});
