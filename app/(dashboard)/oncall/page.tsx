import type { Metadata } from "next";
import { eq } from "drizzle-orm";
import Link from "next/link";
import { ActionButton } from "@/components/action-button";
import { LiveRefresh } from "@/components/live/live-refresh";
import { CalendarLink } from "@/components/oncall/calendar-link";
import { OnCallNow } from "@/components/oncall/on-call-now";
import { OverrideForm } from "@/components/oncall/override-form";
import { PageHeader } from "@/components/page-header";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { localParts, zonedWallTimeToUtc, type Shift } from "@/lib/oncall/rotation";
import { formatClock } from "@/lib/time-zone";
import { formatDuration } from "@/lib/duration";
import { hasRole } from "@/lib/roles";
import { deleteOncallOverride } from "@/server/actions/delete-oncall-override";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { calendarTokens, oncallOverrides } from "@/server/db/schema";
import { onCallSummaries, rosterOf, scheduleTimeline } from "@/server/oncall/schedules";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { peopleNames } from "@/server/queries/users";

export const metadata: Metadata = { title: "On-call" };

const WEEKS = 4;
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Days in the viewer's zone, from this week's Monday, each with its shifts (computed in the schedule's zone). */
function calendarDays(shifts: Shift[], now: number, tz: string) {
  const today = localParts(new Date(now), tz);
  const mondayOffset = (today.weekday + 6) % 7;
  const base = Date.UTC(today.year, today.month - 1, today.day - mondayOffset);
  return Array.from({ length: WEEKS * 7 }, (_, i) => {
    const d = new Date(base + i * 86_400_000);
    const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const start = zonedWallTimeToUtc(y, m, day, 0, 0, tz).getTime();
    const next = new Date(base + (i + 1) * 86_400_000);
    const end = zonedWallTimeToUtc(
      next.getUTCFullYear(),
      next.getUTCMonth() + 1,
      next.getUTCDate(),
      0,
      0,
      tz,
    ).getTime();
    return {
      key: `${y}-${m}-${day}`,
      label: `${DAY_NAMES[d.getUTCDay()]} ${day}/${m}`,
      today: start <= now && now < end,
      shifts: shifts.filter((s) => s.start.getTime() < end && s.end.getTime() > start),
      start,
    };
  });
}

export default async function OncallPage() {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const canOperate = hasRole(user.role, "operator");
  const { config } = getConfig();
  const db = getDb();
  // eslint-disable-next-line react-hooks/purity -- a server render reads the clock once
  const now = Date.now();
  const summaries = onCallSummaries(db, config, now);
  const hasToken = Boolean(
    db.select().from(calendarTokens).where(eq(calendarTokens.userId, user.id)).get(),
  );
  const views = config.oncall.schedules.map((schedule) => {
    const from = now - 7 * 86_400_000;
    const shifts = scheduleTimeline(db, schedule, from, now + (WEEKS + 1) * 7 * 86_400_000);
    const overrides = db
      .select()
      .from(oncallOverrides)
      .where(eq(oncallOverrides.scheduleId, schedule.id))
      .all()
      .filter((o) => !o.deletedAt && o.endsAt.getTime() > now);
    return {
      schedule,
      days: calendarDays(shifts, now, tz),
      overrides,
      shifts,
      people: rosterOf(config, schedule.id),
    };
  });
  const nameOf = peopleNames(db, [
    ...views.flatMap((v) => [
      ...v.people,
      ...v.shifts.map((s) => s.person),
      ...v.overrides.flatMap((o) => [o.person, o.createdBy]),
    ]),
    ...config.oncall.escalationPolicies.flatMap((p) =>
      p.levels.flatMap((l) => l.notify.flatMap((t) => ("user" in t ? [t.user] : []))),
    ),
  ]);
  const channelNames = new Map(config.alerts.channels.map((c) => [c.id, c.name ?? c.id]));
  const scheduleNames = new Map(config.oncall.schedules.map((s) => [s.id, s.name ?? s.id]));
  if (config.oncall.schedules.length === 0)
    return (
      <div>
        <PageHeader title="On-call" />
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
          No schedules yet: add them under <code>oncall.schedules</code> in opsdeck.yaml (see
          docs/config.md)
          {hasRole(user.role, "admin") ? (
            <>
              , or{" "}
              <Link href="/config/schedules" className="text-sky-700 hover:underline">
                add one here
              </Link>
            </>
          ) : null}
          .
        </p>
      </div>
    );
  return (
    <div className="space-y-6">
      <LiveRefresh everySeconds={60} />
      <PageHeader
        title="On-call"
        description="Rotations from opsdeck.yaml, overrides made here, and who gets paged."
        timeZone={tz}
      />
      <OnCallNow schedules={summaries} timeZone={tz} />
      {views.map(({ schedule, days, overrides, people }) => {
        return (
          <section
            key={schedule.id}
            aria-label={schedule.name ?? schedule.id}
            className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
          >
            <div>
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 className="text-lg font-semibold">{schedule.name ?? schedule.id}</h2>
                {hasRole(user.role, "admin") ? (
                  <Link
                    href={`/config/schedules?id=${encodeURIComponent(schedule.id)}`}
                    className="text-sm text-sky-700 hover:underline"
                  >
                    Edit as YAML
                  </Link>
                ) : null}
              </div>
              <p className="text-xs text-slate-500">
                Hands over by the clock in {schedule.timeZone}. Layers:{" "}
                {schedule.layers
                  .map(
                    (l) =>
                      `${l.name} (${l.rotation}, handoff ${l.rotation === "weekly" ? `${l.handoff.weekday} ` : ""}${l.handoff.time}${l.window ? `, ${l.window.from}–${l.window.to} only` : ""}: ${l.people.map(nameOf).join(" → ")})`,
                  )
                  .join("; ")}
              </p>
            </div>
            <div
              className="grid grid-cols-7 gap-px overflow-hidden rounded border border-slate-200 bg-slate-200 text-xs"
              data-testid={`calendar-${schedule.id}`}
            >
              {days.map((d) => (
                <div
                  key={d.key}
                  className={`min-h-16 bg-white p-1.5 ${d.today ? "ring-2 ring-inset ring-sky-500" : ""} ${d.start + 86_400_000 < now ? "text-slate-400" : ""}`}
                >
                  <div className="font-medium">{d.label}</div>
                  {d.shifts.map((s, i) => (
                    <div key={i} className={s.layer === null ? "text-amber-700" : ""}>
                      {s.start.getTime() > d.start ? `${formatClock(s.start, tz)} ` : ""}
                      {nameOf(s.person)}
                      {s.layer === null ? " (override)" : ""}
                    </div>
                  ))}
                </div>
              ))}
            </div>
            <h3 className="font-semibold">Overrides</h3>
            <Table
              columns={["Person", "From", "Until", "Length", "Reason", "By", ""]}
              testId={`overrides-${schedule.id}`}
              empty={overrides.length ? undefined : "No current or upcoming overrides."}
            >
              {overrides.map((o) => (
                <tr key={o.id} className="border-t border-slate-100">
                  <td className="px-3 py-2">{nameOf(o.person)}</td>
                  <td className="px-3 py-2 text-xs">
                    <Time timeZone={tz} value={o.startsAt} />
                  </td>
                  <td className="px-3 py-2 text-xs">
                    <Time timeZone={tz} value={o.endsAt} />
                  </td>
                  <td className="px-3 py-2 text-xs">
                    {formatDuration(o.endsAt.getTime() - o.startsAt.getTime())}
                  </td>
                  <td className="px-3 py-2 text-xs">{o.reason ?? ""}</td>
                  <td className="px-3 py-2 text-xs">{nameOf(o.createdBy)}</td>
                  <td className="px-3 py-2">
                    {canOperate ? (
                      <ActionButton
                        action={deleteOncallOverride}
                        input={{ overrideId: o.id }}
                        label="Remove"
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </Table>
            {canOperate ? (
              <OverrideForm
                scheduleId={schedule.id}
                scheduleName={schedule.name ?? schedule.id}
                people={people.map((email) => ({ email, name: nameOf(email) }))}
                timeZone={tz}
              />
            ) : null}
          </section>
        );
      })}
      <section className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="font-semibold">Escalation</h2>
        {config.oncall.escalationPolicies.length === 0 ? (
          <p className="text-sm text-slate-600">No escalation policies.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {config.oncall.escalationPolicies.map((p) => (
              <li key={p.id}>
                <strong>{p.name ?? p.id}</strong>: {p.levels.length} level
                {p.levels.length === 1 ? "" : "s"} (
                {p.levels
                  .map(
                    (l, i) =>
                      `${i + 1}: ${l.notify.map((t) => ("schedule" in t ? `on call in ${scheduleNames.get(t.schedule) ?? t.schedule}` : nameOf(t.user))).join(", ")} via ${l.channels.map((c) => channelNames.get(c) ?? c).join(", ")}`,
                  )
                  .join("; ")}
                ), next level after {formatDuration(p.ackTimeout)} without acknowledgement, repeated{" "}
                {p.repeat} more time{p.repeat === 1 ? "" : "s"}.
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="font-semibold">Your calendar</h2>
        <p className="text-sm text-slate-600">
          An iCalendar feed of your shifts (add <code>&amp;who=all</code> for everyone&apos;s) for
          Google Calendar, Outlook or Apple Calendar.
        </p>
        <CalendarLink schedules={config.oncall.schedules.map((s) => s.id)} hasToken={hasToken} />
      </section>
    </div>
  );
}
