// Every time Opsdeck shows or computes in a named zone goes through here: one cache of Intl
// formatters (construction is slow compared with formatting; schedules ask the same few zones
// thousands of times), browser-safe, no tz database of our own to keep in sync.

export type WallClock = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Pinning calendar and digits keeps formatToParts numeric whatever the user's locale.
    formatter = new Intl.DateTimeFormat("en-US-u-ca-gregory-nu-latn", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at instant `ms`. */
export function zonedClock(ms: number, timeZone: string): WallClock {
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    switch (part.type) {
      case "year":
      case "month":
      case "day":
      case "minute":
      case "second":
        clock[part.type] = Number(part.value);
        break;
      case "hour":
        // Some engines still print midnight as "24" despite hourCycle h23.
        clock.hour = Number(part.value) % 24;
        break;
    }
  }
  return clock;
}

const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** Whether `value` is an IANA zone name this runtime knows ("Europe/Berlin", "UTC"); offsets like "+01:00" are not. */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== "string" || value.length > 64 || !ZONE_NAME.test(value)) return false;
  try {
    formatterFor(value);
    return true;
  } catch {
    return false;
  }
}

let zoneList: string[] | null = null;
let zoneSet: Set<string> | null = null;

/** The zones a person may pick, sorted, UTC first. */
export function timeZoneList(): string[] {
  if (!zoneList) {
    const zones = Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC");
    zoneList = ["UTC", ...zones.sort()];
  }
  return zoneList;
}

/** Whether `value` is one of the zones in {@link timeZoneList} (what the preferences form offers). */
export function isListedTimeZone(value: unknown): value is string {
  zoneSet ??= new Set(timeZoneList());
  return typeof value === "string" && zoneSet.has(value);
}

const pad = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function toDate(at: string | number | Date): Date {
  return at instanceof Date ? at : new Date(at);
}

/** "2026-12-02 16:32:10": a moment in `timeZone`, 24-hour, for tables (the zone is named once per page). */
export function formatZoned(at: string | number | Date, timeZone: string): string {
  const d = toDate(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const c = zonedClock(d.getTime(), timeZone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`;
}

/** "2 Dec 2026, 16:32": day and minute in `timeZone`, without naming it. */
export function formatZonedShort(at: string | number | Date, timeZone: string): string {
  const d = toDate(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const c = zonedClock(d.getTime(), timeZone);
  return `${c.day} ${MONTHS[c.month - 1]} ${c.year}, ${pad(c.hour)}:${pad(c.minute)}`;
}

/** "16:32" in `timeZone`. */
export function formatClock(at: string | number | Date, timeZone: string): string {
  const c = zonedClock(toDate(at).getTime(), timeZone);
  return `${pad(c.hour)}:${pad(c.minute)}`;
}

/** "2026-12-02T16:32": the value a datetime-local input shows for this instant in `timeZone`. */
export function toDateTimeLocal(at: string | number | Date, timeZone: string): string {
  const c = zonedClock(toDate(at).getTime(), timeZone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}`;
}
