// GET /api/status/{slug} — a public status page as JSON (no sign-in; the same data and cache as /status/{slug})
import { z } from "zod";
import { STATUS_PAGE_CACHE_CONTROL } from "@/lib/status-page";
import { apiRoute, HttpError } from "@/server/http/route";
import { cachedStatusPage } from "@/server/queries/status-page";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "status.page",
  auth: "public",
  params: z.strictObject({ slug: z.string().max(63) }),
  handler: ({ params }) => {
    const data = cachedStatusPage(params.slug);
    if (!data) throw new HttpError(404, "Not found.");
    return Response.json(data, { headers: { "cache-control": STATUS_PAGE_CACHE_CONTROL } });
  },
});
