import "server-only";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import {
  nextShift,
  onCallAt,
  timeline,
  type Override,
  type Schedule,
  type Shift,
} from "@/lib/oncall/rotation";
import { WEEKDAYS } from "@/server/config/alerts-schema";
import type { OpsdeckConfig, ScheduleConfig } from "@/server/config/schema";
import type { DbOrTx } from "@/server/db";
import { oncallOverrides } from "@/server/db/schema";
import { peopleNames } from "@/server/queries/users";

export function toSchedule(cfg: ScheduleConfig): Schedule {
  return {
    id: cfg.id,
    timeZone: cfg.timeZone,
    layers: cfg.layers.map((l) => ({
      name: l.name,
      people: l.people,
      rotation: l.rotation,
      handoffTime: l.handoff.time,
      handoffWeekday: WEEKDAYS.indexOf(l.handoff.weekday),
      start: l.start,
      window: l.window,
    })),
  };
}

/** Overrides of a schedule that overlap [from, to), not deleted. */
export function overridesBetween(
  db: DbOrTx,
  scheduleId: string,
  from: number,
  to: number,
): Override[] {
  return (
    db
      .select()
      .from(oncallOverrides)
      .where(
        and(
          eq(oncallOverrides.scheduleId, scheduleId),
          isNull(oncallOverrides.deletedAt),
          gt(oncallOverrides.endsAt, new Date(from)),
          lt(oncallOverrides.startsAt, new Date(to)),
        ),
      )
      // Later overrides win where they overlap: creation order, not the index's order.
      .orderBy(oncallOverrides.id)
      .all()
      .map((o) => ({ person: o.person, start: o.startsAt, end: o.endsAt }))
  );
}

const WEEK = 7 * 86_400_000;

export type OnCallNow = { schedule: ScheduleConfig; now: Shift | null; next: Shift | null };

export function onCallNow(db: DbOrTx, cfg: ScheduleConfig, at = Date.now()): OnCallNow {
  const schedule = toSchedule(cfg);
  const overrides = overridesBetween(db, cfg.id, at - WEEK, at + 8 * WEEK);
  return {
    schedule: cfg,
    now: onCallAt(schedule, overrides, new Date(at)),
    next: nextShift(schedule, overrides, new Date(at)),
  };
}

export function scheduleTimeline(
  db: DbOrTx,
  cfg: ScheduleConfig,
  from: number,
  to: number,
): Shift[] {
  return timeline(
    toSchedule(cfg),
    overridesBetween(db, cfg.id, from, to),
    new Date(from),
    new Date(to),
  );
}

/** Everyone who can be on call in any schedule (overrides may only name these). */
export function rosterOf(config: OpsdeckConfig, scheduleId: string): string[] {
  const s = config.oncall.schedules.find((x) => x.id === scheduleId);
  return s ? [...new Set(s.layers.flatMap((l) => l.people))] : [];
}

/** Now and next for every schedule, as plain data for pages. */
export function onCallSummaries(db: DbOrTx, config: OpsdeckConfig, at = Date.now()) {
  const current = config.oncall.schedules.map((s) => ({ s, ...onCallNow(db, s, at) }));
  const nameOf = peopleNames(
    db,
    current.flatMap(({ now, next }) => [now?.person ?? "", next?.person ?? ""]),
  );
  return current.map(({ s, now, next }) => ({
    id: s.id,
    name: s.name ?? s.id,
    // People by name: emails stay in config and the calendar feed.
    now: now
      ? { person: nameOf(now.person), until: now.end.toISOString(), override: now.layer === null }
      : null,
    next: next ? { person: nameOf(next.person), from: next.start.toISOString() } : null,
  }));
}
