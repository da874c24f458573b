// GET /api/search?q= — what the command palette finds: pages, services, monitors, open alerts, recent deployments, runbooks, docs
import { z } from "zod";
import { MAX_QUERY, searchIndex } from "@/lib/search";
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/route";
import { searchItems } from "@/server/queries/search";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "search",
  auth: "viewer",
  query: z.object({
    q: z
      .string()
      .max(MAX_QUERY, `expected a search of at most ${MAX_QUERY} characters`)
      .default(""),
  }),
  handler: ({ db, query, user }) => {
    const groups = searchIndex(searchItems(db, getConfig().config, user!), query.q);
    return {
      groups: groups.map((g) => ({
        ...g,
        // Keywords only help find; the palette shows the title and the detail.
        items: g.items.map(({ kind, title, detail, href }) => ({ kind, title, detail, href })),
      })),
    };
  },
});
