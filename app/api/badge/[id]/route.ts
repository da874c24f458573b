// GET /api/badge/{monitorId} — SVG status badge (public for monitors with badge: true)
import { z } from "zod";
import { badgeSvg } from "@/lib/badge";
import { formatUptime } from "@/lib/uptime";
import { getSessionUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { apiRoute, HttpError } from "@/server/http/route";
import { monitorSummaries } from "@/server/queries/uptime";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "uptime.badge",
  auth: "public",
  params: z.strictObject({ id: z.string().max(63) }),
  handler: async ({ db, params }) => {
    const monitor = getConfig().config.monitors.find((m) => m.id === params.id);
    // Private monitors do not exist for anonymous callers (404, not 401).
    if (!monitor || (!monitor.badge && !(await getSessionUser())))
      throw new HttpError(404, "Not found.");
    const [summary] = monitorSummaries(db, [monitor]);
    return new Response(
      badgeSvg(monitor.name ?? monitor.id, summary!.status, formatUptime(summary!.uptime["24h"])),
      {
        headers: {
          "content-type": "image/svg+xml; charset=utf-8",
          "cache-control": monitor.badge ? "public, max-age=60" : "private, no-store",
          "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
      },
    );
  },
});
