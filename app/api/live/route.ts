// GET /api/live — the live state every page shows: firing alerts (count, newest) and, with ?monitors=1, every monitor's status
import { z } from "zod";
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/route";
import { liveState } from "@/server/queries/live-state";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "live.state",
  auth: "viewer",
  query: z.object({
    monitors: z.enum(["0", "1"], { error: "expected monitors=1 or monitors=0" }).optional(),
  }),
  handler: ({ db, query }) =>
    liveState(db, getConfig().config, { monitors: query.monitors === "1" }),
});
