// GET /api/live — the live state every page shows: firing alerts (count, newest) and, with ?views=, the monitor and replica views its widgets show (lib/live-views.ts, lib/replica-health.ts)
import { z } from "zod";
import {
  MAX_LIVE_VIEWS,
  parseMonitorViewKey,
  splitViewKeys,
  type MonitorViewSpec,
} from "@/lib/live-views";
import { isReplicaViewKey, parseReplicaViewKey, type ReplicaViewSpec } from "@/lib/replica-health";
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/route";
import { liveState } from "@/server/queries/live-state";
import { replicaLiveViews } from "@/server/queries/replica-health";
import { getMetricsDb } from "@/server/tsdb/db";

export const dynamic = "force-dynamic";

const views = z
  .string()
  .max(4000, { error: "views: too long" })
  .transform((value, ctx): (MonitorViewSpec | ReplicaViewSpec)[] => {
    const keys = splitViewKeys(value);
    if (keys.length > MAX_LIVE_VIEWS) {
      ctx.addIssue({ code: "custom", message: `views: at most ${MAX_LIVE_VIEWS} views` });
      return z.NEVER;
    }
    const specs: (MonitorViewSpec | ReplicaViewSpec)[] = [];
    for (const key of keys) {
      const spec = isReplicaViewKey(key) ? parseReplicaViewKey(key) : parseMonitorViewKey(key);
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
  handler: async ({ db, query, user }) => {
    const { config } = getConfig();
    const specs = query.views ?? [];
    const isReplica = (s: MonitorViewSpec | ReplicaViewSpec): s is ReplicaViewSpec =>
      s.kind === "replicas" || s.kind === "replica-summary";
    const replicas = specs.filter(isReplica);
    const state = liveState(db, config, {
      views: specs.filter((s): s is MonitorViewSpec => !isReplica(s)),
    });
    // Replica views read metrics.db (and may wait briefly for the query worker), outside
    // the app database's read transaction.
    if (replicas.length && user)
      Object.assign(state.views, await replicaLiveViews(user, getMetricsDb(), config, replicas));
    return state;
  },
});
