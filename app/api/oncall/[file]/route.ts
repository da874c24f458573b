// GET /api/oncall/{schedule}.ics?token=… — a schedule's shifts as an iCalendar feed for personal calendars
import { z } from "zod";
import { getConfig } from "@/server/config";
import { apiRoute, HttpError } from "@/server/http/route";
import { DEFAULT_FAILED_AUTH } from "@/server/http/route-limits";
import { scheduleCalendar, userForCalendarToken } from "@/server/oncall/calendar";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "oncall.calendar",
  // Calendar apps cannot sign in: the personal token in the URL is the credential.
  auth: "public",
  params: z.strictObject({
    file: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}\.ics$/, "expected {schedule}.ics"),
  }),
  query: z.object({
    token: z.string().max(200).optional(),
    /** "mine" (default): the token's owner's shifts; "all": everyone's. */
    who: z.enum(["mine", "all"]).default("mine"),
    weeks: z.coerce.number().int().min(1).max(52).default(12),
  }),
  // Wrong tokens are throttled per address and audited with a count, like the ingest routes'.
  rateLimit: { name: "oncall.calendar", limits: () => ({ failedAuth: DEFAULT_FAILED_AUTH }) },
  handler: ({ params, query, db, tokenRefused }) => {
    const user = query.token ? userForCalendarToken(db, query.token) : undefined;
    if (!user) {
      tokenRefused();
      throw new HttpError(
        401,
        "A valid calendar token is required (create one on the On-call page).",
      );
    }
    const schedule = getConfig().config.oncall.schedules.find((s) => `${s.id}.ics` === params.file);
    if (!schedule) throw new HttpError(404, "No such schedule.");
    const body = scheduleCalendar(db, schedule, {
      person: query.who === "mine" ? user.email : undefined,
      weeks: query.weeks,
    });
    return new Response(body, {
      headers: {
        "content-type": "text/calendar; charset=utf-8",
        "content-disposition": `inline; filename="${schedule.id}.ics"`,
        "cache-control": "private, max-age=300",
      },
    });
  },
});
