// GET /api/live — the live state every page shows: firing alerts (count, newest) and, with ?views=, the monitor views its widgets show (lib/live-views.ts)
import { z } from "zod";
import {
  MAX_LIVE_VIEWS,
  parseMonitorViewKey,
  splitViewKeys,
  type MonitorViewSpec,
} from "@/lib/live-views";
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/route";
import { liveState } from "@/server/queries/live-state";

export const dynamic = "force-dynamic";

const views = z
  .string()
  .max(4000, { error: "views: too long" })
  .transform((value, ctx): MonitorViewSpec[] => {
    const keys = splitViewKeys(value);
    if (keys.length > MAX_LIVE_VIEWS) {
      ctx.addIssue({ code: "custom", message: `views: at most ${MAX_LIVE_VIEWS} views` });
      return z.NEVER;
    }
    const specs: MonitorViewSpec[] = [];
    for (const key of keys) {
      const spec = parseMonitorViewKey(key);
      if ("error" in spec) {
        ctx.addIssue({ code: "custom", message: `views: ${spec.error}` });
        return z.NEVER;
      }
      specs.push(spec);
    }
    return specs;
  });

export const GET = apiRoute({
  name: "live.state",
  auth: "viewer",
  query: z.object({ views: views.optional() }),
  handler: ({ db, query }) => liveState(db, getConfig().config, { views: query.views ?? [] }),
});
