// GET /api/alerts — firing and pending alerts with silence and inhibition, a page at a time (?after=&limit=)
import { z } from "zod";
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/route";
import { activeAlerts, MAX_PAGE_SIZE } from "@/server/queries/alerts";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "alerts.active",
  auth: "viewer",
  query: z.object({
    after: z
      .string()
      .regex(/^\d{1,15}\.\d{1,15}$/, "expected the `next` cursor of the previous page")
      .optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  }),
  handler: ({ db, query }) => {
    const page = activeAlerts(db, getConfig().config, query);
    return { alerts: page.items, next: page.next, total: page.total };
  },
});
