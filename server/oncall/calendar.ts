import "server-only";
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { shiftsToICal } from "@/lib/oncall/ical";
import { opsdeckUrl } from "@/server/alerts/payload";
import type { ScheduleConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { calendarTokens, users, type User } from "@/server/db/schema";
import { scheduleTimeline } from "./schedules";

export function hashCalendarToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The active user a feed token belongs to; undefined for an unknown token or a disabled user. */
export function userForCalendarToken(db: Db, token: string): User | undefined {
  if (!/^cal_[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
  const row = db
    .select({ user: users })
    .from(calendarTokens)
    .innerJoin(users, eq(users.id, calendarTokens.userId))
    .where(eq(calendarTokens.tokenHash, hashCalendarToken(token)))
    .get();
  return row && !row.user.disabled ? row.user : undefined;
}

const DAY = 86_400_000;

/** The schedule's shifts from a week ago to `weeks` ahead; `person` limits it to one person's. */
export function scheduleCalendar(
  db: Db,
  schedule: ScheduleConfig,
  opts: { person?: string; weeks?: number; now?: number },
): string {
  const now = opts.now ?? Date.now();
  const from = now - 7 * DAY;
  const to = now + (opts.weeks ?? 12) * 7 * DAY;
  const person = opts.person?.toLowerCase();
  const shifts = scheduleTimeline(db, schedule, from, to).filter(
    (s) => !person || s.person.toLowerCase() === person,
  );
  const name = schedule.name ?? schedule.id;
  return shiftsToICal({
    calendarName: person ? `On call: ${name} (${opts.person})` : `On call: ${name}`,
    uidDomain: new URL(opsdeckUrl()).hostname || "opsdeck",
    now: new Date(now),
    events: shifts.map((s) => ({
      uid: `${schedule.id}-${s.start.getTime()}-${s.person}`,
      summary: person ? `On call: ${name}` : `On call: ${s.person} (${name})`,
      description: s.layer ? `Rotation layer: ${s.layer}` : "Override",
      start: s.start,
      end: s.end,
      url: opsdeckUrl("/oncall"),
    })),
  });
}
