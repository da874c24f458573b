// GET /api/health — Opsdeck's own health, for load balancers and uptime monitors
import { APP_VERSION } from "@/lib/version";
import { apiRoute } from "@/server/http/route";
import { selfHealth } from "@/server/queries/health";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "health",
  auth: "public",
  handler: ({ db }) => {
    const runtime = getRuntime();
    const report = selfHealth(db, runtime);
    const body = {
      ...report,
      version: APP_VERSION,
      uptimeSeconds: runtime ? Math.round((Date.now() - runtime.startedAt.getTime()) / 1000) : 0,
    };
    return Response.json(body, {
      status: report.status === "ok" ? 200 : 503,
      headers: { "cache-control": "no-store" },
    });
  },
});
