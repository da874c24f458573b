// On-call rotation arithmetic. Pure and browser-safe: the calendar and the iCal feed use the
// same code, so time zones come from Intl only (no tz database of our own to keep in sync).
import { zonedClock } from "@/lib/time-zone";

export type RotationLayer = {
  name: string;
  /** People in rotation order (emails). */
  people: string[];
  rotation: "daily" | "weekly";
  /** Local wall-clock handoff time "HH:MM" (24h). */
  handoffTime: string;
  /** For weekly rotations: handoff weekday, 0 = Sunday … 6 = Saturday. Ignored for daily. */
  handoffWeekday: number;
  /** Local calendar date "YYYY-MM-DD" of the first shift's start day; people[0] takes the first shift that starts on or after this date's handoff. Before the first handoff nobody in this layer is on call. */
  start: string;
  /**
   * Optional: the layer only covers local times within this daily window, e.g.
   * {from:"09:00", to:"17:00"}; omit for all day. `to` at or before `from` ends the window on
   * the next day ("22:00"–"06:00" covers nights; equal times cover a whole day).
   */
  window?: { from: string; to: string };
};
export type Schedule = { id: string; timeZone: string; layers: RotationLayer[] };
export type Override = { person: string; start: Date; end: Date };
export type Shift = {
  person: string;
  start: Date;
  end: Date;
  /** null = override */
  layer: string | null;
};

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** 400 Gregorian years are exactly this many days, which lets Date.UTC handle years 0–99. */
const DAYS_PER_400_YEARS = 146_097;

type HourMinute = { hour: number; minute: number };
const wallClock = zonedClock;

/** Wall-clock fields read as if they were UTC, in milliseconds. */
function wallMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0) {
  // Date.UTC maps years 0–99 to 1900–1999.
  if (year >= 0 && year < 100) {
    return Date.UTC(year + 400, month - 1, day, hour, minute, second) - DAYS_PER_400_YEARS * DAY;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Calendar day number: days since 1970-01-01, so day arithmetic is plain integer arithmetic. */
function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(wallMs(year, month, day) / DAY);
}

function weekdayOf(day: number): number {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7;
}

function offsetAt(ms: number, timeZone: string): number {
  // Intl drops milliseconds, so compare against the instant truncated to the second.
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  const c = wallClock(whole, timeZone);
  return wallMs(c.year, c.month, c.day, c.hour, c.minute, c.second) - whole;
}

function localDayOf(ms: number, timeZone: string): number {
  const c = wallClock(ms, timeZone);
  return dayNumber(c.year, c.month, c.day);
}

function wallToUtcMs(wall: number, timeZone: string): number {
  // Offsets a day either side bracket any single transition near this wall time (real zones
  // never change twice within two days), so one of the two offsets is the right one.
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  if (before === after) return wall - before;
  const early = wall - before;
  const late = wall - after;
  const earlyFits = offsetAt(early, timeZone) === before;
  const lateFits = offsetAt(late, timeZone) === after;
  if (earlyFits && lateFits) return Math.min(early, late);
  if (earlyFits) return early;
  if (lateFits) return late;
  // In a spring-forward gap neither fits; reading the time with the pre-transition offset
  // lands exactly "gap length" later (02:30 → 03:30), which is what a wall clock would show.
  return early;
}

export function zonedWallTimeToUtc(
  y: number,
  month: number,
  d: number,
  hh: number,
  mm: number,
  timeZone: string,
): Date {
  return new Date(wallToUtcMs(wallMs(y, month, d, hh, mm), timeZone));
}

export function localParts(
  at: Date,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  const c = wallClock(at.getTime(), timeZone);
  return {
    year: c.year,
    month: c.month,
    day: c.day,
    hour: c.hour,
    minute: c.minute,
    weekday: weekdayOf(dayNumber(c.year, c.month, c.day)),
  };
}

function parseHourMinute(value: string, what: string): HourMinute {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value);
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) {
    throw new RangeError(`${what} must be "HH:MM" (00:00–23:59), got ${JSON.stringify(value)}`);
  }
  return { hour, minute };
}

function parseDay(value: string, what: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const n = dayNumber(year, month, day);
    // Date.UTC silently rolls 2026-02-30 over into March; a typo should not move a rotation.
    const back = new Date(n * DAY);
    if (back.getUTCMonth() + 1 === month && back.getUTCDate() === day) return n;
  }
  throw new RangeError(`${what} must be a "YYYY-MM-DD" date, got ${JSON.stringify(value)}`);
}

type CompiledLayer = {
  name: string;
  people: string[];
  timeZone: string;
  /** Days between handoffs. */
  period: number;
  handoff: HourMinute;
  /** Day number of the first handoff. */
  firstDay: number;
  window: { from: HourMinute; to: HourMinute } | null;
};

function compileLayer(layer: RotationLayer, timeZone: string): CompiledLayer {
  const what = `Layer ${JSON.stringify(layer.name)}`;
  if (layer.rotation !== "daily" && layer.rotation !== "weekly") {
    throw new RangeError(`${what}: rotation must be "daily" or "weekly"`);
  }
  const weekly = layer.rotation === "weekly";
  if (
    weekly &&
    !(
      Number.isInteger(layer.handoffWeekday) &&
      layer.handoffWeekday >= 0 &&
      layer.handoffWeekday <= 6
    )
  ) {
    throw new RangeError(`${what}: handoffWeekday must be 0 (Sunday) … 6 (Saturday)`);
  }
  const startDay = parseDay(layer.start, `${what}: start`);
  const firstDay = weekly
    ? startDay + ((((layer.handoffWeekday - weekdayOf(startDay)) % 7) + 7) % 7)
    : startDay;
  return {
    name: layer.name,
    people: layer.people,
    timeZone,
    period: weekly ? 7 : 1,
    handoff: parseHourMinute(layer.handoffTime, `${what}: handoffTime`),
    firstDay,
    window: layer.window
      ? {
          from: parseHourMinute(layer.window.from, `${what}: window.from`),
          to: parseHourMinute(layer.window.to, `${what}: window.to`),
        }
      : null,
  };
}

// Handoffs and window edges are asked for again and again (every render, every sample of a
// calendar), and each costs several Intl calls; the answers never change, so remember them.
const dayTimeCache = new Map<string, number>();
const DAY_TIME_CACHE_LIMIT = 20_000;

function zonedDayTime(day: number, time: HourMinute, timeZone: string): number {
  const wall = day * DAY + time.hour * HOUR + time.minute * MINUTE;
  const key = `${timeZone} ${wall}`;
  let ms = dayTimeCache.get(key);
  if (ms === undefined) {
    if (dayTimeCache.size >= DAY_TIME_CACHE_LIMIT) dayTimeCache.clear();
    ms = wallToUtcMs(wall, timeZone);
    dayTimeCache.set(key, ms);
  }
  return ms;
}

type Rotation = { index: number; start: number; end: number };

function handoffOf(layer: CompiledLayer, index: number): number {
  return zonedDayTime(layer.firstDay + index * layer.period, layer.handoff, layer.timeZone);
}

/** The rotation shift containing `ms`, which must not be before the first handoff. */
function rotationAt(layer: CompiledLayer, ms: number): Rotation {
  // Index from calendar days, not elapsed milliseconds: DST makes days 23–25 h long, and
  // this stays exact (and O(1)) however far `ms` is from the start.
  let index = Math.max(
    0,
    Math.floor((localDayOf(ms, layer.timeZone) - layer.firstDay) / layer.period),
  );
  let start = handoffOf(layer, index);
  // The local day's handoff may still be ahead of `ms` (e.g. 08:00 with a 09:00 handoff).
  while (index > 0 && ms < start) start = handoffOf(layer, --index);
  let end = handoffOf(layer, index + 1);
  while (ms >= end) {
    start = end;
    end = handoffOf(layer, ++index + 1);
  }
  return { index, start, end };
}

type Piece = { person: string; start: number; end: number; layer: string | null; rank: number };

function windowPieces(layer: CompiledLayer, rotation: Rotation, person: string): Piece[] {
  const { from, to } = layer.window!;
  const overnight = to.hour * 60 + to.minute <= from.hour * 60 + from.minute;
  const pieces: Piece[] = [];
  // A window opening the day before the shift can still be open when it starts.
  const lastDay = localDayOf(rotation.end, layer.timeZone);
  for (let day = localDayOf(rotation.start, layer.timeZone) - 1; day <= lastDay; day++) {
    const start = Math.max(rotation.start, zonedDayTime(day, from, layer.timeZone));
    const end = Math.min(rotation.end, zonedDayTime(overnight ? day + 1 : day, to, layer.timeZone));
    if (start < end) pieces.push({ person, start, end, layer: layer.name, rank: 0 });
  }
  return pieces;
}

/**
 * The layer's pieces (whole shifts, or their parts inside the daily window) that end after
 * `fromMs`, in order. Infinite: callers stop once past the range they need.
 */
function* layerPieces(layer: CompiledLayer, fromMs: number, rank: number): Generator<Piece> {
  const n = layer.people.length;
  if (n === 0) return;
  let rotation = rotationAt(layer, Math.max(fromMs, handoffOf(layer, 0)));
  let barren = 0;
  for (;;) {
    const person = layer.people[rotation.index % n]!;
    if (!layer.window) {
      yield { person, start: rotation.start, end: rotation.end, layer: layer.name, rank };
    } else {
      let yielded = false;
      for (const piece of windowPieces(layer, rotation, person)) {
        if (piece.end <= fromMs) continue;
        yielded = true;
        yield { ...piece, rank };
      }
      // A window can only come out empty on a DST day (e.g. "02:00"–"02:30" in the gap), so a
      // long empty run means it never matches; stop rather than spin forever.
      barren = yielded ? 0 : barren + 1;
      if (barren > 14) return;
    }
    const next = rotation.index + 1;
    rotation = { index: next, start: rotation.end, end: handoffOf(layer, next + 1) };
  }
}

/** The layer's piece containing `ms` or, failing that, the next one. */
function pieceFrom(layer: CompiledLayer, ms: number, rank: number): Piece | null {
  return layerPieces(layer, ms, rank).next().value ?? null;
}

function toShift(piece: Piece): Shift {
  return {
    person: piece.person,
    start: new Date(piece.start),
    end: new Date(piece.end),
    layer: piece.layer,
  };
}

/** The shift of one layer that contains `at`, or null (before start, or no people). */
export function layerShiftAt(layer: RotationLayer, timeZone: string, at: Date): Shift | null {
  const ms = at.getTime();
  const piece = pieceFrom(compileLayer(layer, timeZone), ms, 0);
  return piece && piece.start <= ms ? toShift(piece) : null;
}

// Ranks order the sources: layers by position, then every override above every layer, later
// overrides above earlier ones (the one added last is the one the user meant).
function overridePieces(layerCount: number, overrides: Override[]): Piece[] {
  return overrides
    .map((o, i) => ({
      person: o.person,
      start: o.start.getTime(),
      end: o.end.getTime(),
      layer: null,
      rank: layerCount + i,
    }))
    .filter((p) => p.start < p.end);
}

/** All pieces of sources ranked `minRank` or higher that overlap [from, to). */
function piecesBetween(
  schedule: Schedule,
  overrides: Override[],
  from: number,
  to: number,
  minRank = 0,
): Piece[] {
  const pieces = overridePieces(schedule.layers.length, overrides).filter(
    (p) => p.rank >= minRank && p.start < to && p.end > from,
  );
  schedule.layers.forEach((layer, rank) => {
    if (rank < minRank) return;
    for (const piece of layerPieces(compileLayer(layer, schedule.timeZone), from, rank)) {
      if (piece.start >= to) break;
      pieces.push(piece);
    }
  });
  return pieces;
}

/** Highest-ranked piece wins each moment; a piece's uninterrupted stretches become shifts. */
function flatten(pieces: Piece[], from: number, to: number): Shift[] {
  const clipped = pieces
    .map((p) => ({ ...p, start: Math.max(p.start, from), end: Math.min(p.end, to) }))
    .filter((p) => p.start < p.end)
    .sort((a, b) => a.start - b.start);
  const bounds = [...new Set(clipped.flatMap((p) => [p.start, p.end]))].sort((a, b) => a - b);
  const out: Piece[] = [];
  let active: typeof clipped = [];
  let next = 0;
  let last: (typeof clipped)[number] | null = null;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const lo = bounds[i]!;
    const hi = bounds[i + 1]!;
    active = active.filter((p) => p.end > lo);
    while (next < clipped.length && clipped[next]!.start <= lo) active.push(clipped[next++]!);
    let winner: (typeof clipped)[number] | null = null;
    for (const p of active) if (!winner || p.rank > winner.rank) winner = p;
    if (winner && winner === last && out.at(-1)!.end === lo) out.at(-1)!.end = hi;
    else if (winner) out.push({ ...winner, start: lo, end: hi });
    last = winner;
  }
  return out.map(toShift);
}

/** The highest-ranked piece covering `ms`, unclipped. */
function topPieceAt(schedule: Schedule, overrides: Override[], ms: number): Piece | null {
  const covering = overridePieces(schedule.layers.length, overrides).filter(
    (p) => p.start <= ms && ms < p.end,
  );
  if (covering.length > 0) return covering.at(-1)!;
  for (let rank = schedule.layers.length - 1; rank >= 0; rank--) {
    const piece = pieceFrom(compileLayer(schedule.layers[rank]!, schedule.timeZone), ms, rank);
    if (piece && piece.start <= ms) return piece;
  }
  return null;
}

/**
 * Who is on call at `at`: the latest override covering `at` wins; otherwise the LAST layer in
 * the list that has a shift at `at` (higher layers override lower ones, like PagerDuty).
 *
 * The shift returned is the stretch of the flattened timeline containing `at` (so a shift cut by
 * an override ends where the override begins), which makes `nextShift` start where it ends.
 */
export function onCallAt(schedule: Schedule, overrides: Override[], at: Date): Shift | null {
  const ms = at.getTime();
  const top = topPieceAt(schedule, overrides, ms);
  if (!top) return null;
  // Only sources ranked above the winner can cut into its piece, and only within it.
  const pieces = piecesBetween(schedule, overrides, top.start, top.end, top.rank + 1);
  pieces.push(top);
  return (
    flatten(pieces, top.start, top.end).find(
      (s) => s.start.getTime() <= ms && ms < s.end.getTime(),
    ) ?? null
  );
}

/**
 * The final, flattened timeline between from and to: consecutive non-overlapping shifts
 * (overrides cut into layer shifts; adjacent pieces of the same person from the same source may
 * stay separate), clipped to [from, to]. Gaps in coverage are simply absent.
 */
export function timeline(schedule: Schedule, overrides: Override[], from: Date, to: Date): Shift[] {
  const a = from.getTime();
  const b = to.getTime();
  if (!(a < b)) return [];
  return flatten(piecesBetween(schedule, overrides, a, b), a, b);
}

/** The earliest moment at or after `ms` when anyone is on call. */
function nextCoverage(schedule: Schedule, overrides: Override[], ms: number): number | null {
  let best: number | null = null;
  for (const o of overridePieces(schedule.layers.length, overrides)) {
    if (o.end > ms) best = Math.min(best ?? Infinity, Math.max(o.start, ms));
  }
  schedule.layers.forEach((layer, rank) => {
    const piece = pieceFrom(compileLayer(layer, schedule.timeZone), ms, rank);
    if (piece) best = Math.min(best ?? Infinity, Math.max(piece.start, ms));
  });
  return best;
}

/**
 * The shift after the current one (the next different person or next handoff) — for "next on
 * call". When nobody is on call at `at`, the first shift to start after it.
 */
export function nextShift(schedule: Schedule, overrides: Override[], at: Date): Shift | null {
  const current = onCallAt(schedule, overrides, at);
  const from = current ? current.end.getTime() : at.getTime();
  const start = nextCoverage(schedule, overrides, from);
  return start === null ? null : onCallAt(schedule, overrides, new Date(start));
}

/** A datetime-local input's "YYYY-MM-DDTHH:MM", read as a wall time in `timeZone`; null if malformed. */
export function parseZonedDateTimeLocal(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  return zonedWallTimeToUtc(y, mo, d, h, mi, timeZone);
}
