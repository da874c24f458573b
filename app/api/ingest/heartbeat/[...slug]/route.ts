// GET|POST /api/ingest/heartbeat/{token}[/start|/fail] — dead man's switch pings from cron jobs and backups
import { pingBody, pingPath } from "@/lib/schemas/heartbeat";
import { getConfig } from "@/server/config";
import { INGEST_RATE_LIMIT } from "@/server/http/ingest-limit";
import { apiRoute, HttpError, readJsonBody } from "@/server/http/route";
import { recordPing } from "@/server/monitors/heartbeat";
import { monitorForToken } from "@/server/monitors/heartbeat-ping";
import { maintenanceMatcher } from "@/server/monitors/maintenance";

export const dynamic = "force-dynamic";

const ping = apiRoute({
  name: "heartbeat.ping",
  auth: "public",
  params: pingPath,
  rateLimit: INGEST_RATE_LIMIT,
  unaudited: "machine pings are recorded as check results, not user actions",
  handler: async ({ req, params, db, tokenRefused, tokenAccepted }) => {
    const { config } = getConfig();
    const [token, suffix] = params.slug;
    const monitor = monitorForToken(config, token!);
    // Unknown tokens learn nothing and store nothing (but count against the address).
    if (!monitor) {
      tokenRefused();
      throw new HttpError(404, "Not found.");
    }
    tokenAccepted(`heartbeat:${monitor.id}`);
    let body = {};
    // Only a JSON body is read; cron one-liners often POST an empty or form body.
    if (req.method === "POST" && /json/i.test(req.headers.get("content-type") ?? "")) {
      const parsed = pingBody.safeParse(await readJsonBody(req, 10_240));
      if (!parsed.success)
        throw new HttpError(400, `Invalid body: ${parsed.error.issues[0]?.message}`);
      body = parsed.data;
    }
    const kind = suffix === "start" ? "start" : suffix === "fail" ? "fail" : "success";
    recordPing(
      db,
      monitor,
      { kind, ...body },
      Date.now(),
      maintenanceMatcher(config.maintenanceWindows),
    );
    return new Response("OK\n", {
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  },
});

export { ping as GET, ping as POST };
