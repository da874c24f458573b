// RFC 5545 serializer for the on-call feed. Only what calendar clients need to subscribe to a
// list of shifts: times are always UTC, so no VTIMEZONE blocks are required.

export type ICalEvent = {
  uid: string;
  summary: string;
  description?: string;
  start: Date;
  end: Date;
  url?: string;
};

const CRLF = "\r\n";
const MAX_LINE_OCTETS = 75;
const encoder = new TextEncoder();

/** TEXT value escaping (RFC 5545 §3.3.11). */
export function escapeText(value: string): string {
  return (
    value
      .replace(/\\/g, "\\\\")
      .replace(/;/g, "\\;")
      .replace(/,/g, "\\,")
      .replace(/\r\n|\r|\n/g, "\\n")
      // Other control characters are not allowed in TEXT and some clients reject the feed.
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
  );
}

/** 2026-03-29T01:30:00.000Z → "20260329T013000Z" (FORM #2, UTC). */
export function formatICalDate(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("Invalid date in calendar event");
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/**
 * Folds a content line at 75 octets. Counting UTF-8 bytes of whole code points means a fold never
 * lands inside a multi-byte character, which some clients would turn into U+FFFD.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    if (octets + size > MAX_LINE_OCTETS) {
      out.push(current);
      // The leading space of a continuation line counts towards its 75 octets.
      current = " ";
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

function uriValue(value: string): string {
  // URI values are not escaped like TEXT, but a line break would end the property early.
  return value.replace(/[\u0000-\u001f\u007f]/g, "");
}

export function shiftsToICal(opts: {
  calendarName: string;
  prodId?: string;
  uidDomain: string;
  now: Date;
  events: ICalEvent[];
}): string {
  const stamp = formatICalDate(opts.now);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:${escapeText(opts.prodId ?? "-//Opsdeck//On-call//EN")}`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeText(opts.calendarName)}`,
  ];
  for (const event of opts.events) {
    if (!(event.end.getTime() > event.start.getTime())) {
      throw new RangeError(`Calendar event ${event.uid} must end after it starts`);
    }
    lines.push(
      "BEGIN:VEVENT",
      // A domain suffix keeps UIDs globally unique, which clients rely on to update in place.
      `UID:${escapeText(`${event.uid}@${opts.uidDomain}`)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${formatICalDate(event.start)}`,
      `DTEND:${formatICalDate(event.end)}`,
      `SUMMARY:${escapeText(event.summary)}`,
    );
    if (event.description !== undefined) {
      lines.push(`DESCRIPTION:${escapeText(event.description)}`);
    }
    if (event.url !== undefined) lines.push(`URL:${uriValue(event.url)}`);
    lines.push("END:VEVENT");
  }
  lines.push("END:VCALENDAR");
  return lines.map(foldLine).join(CRLF) + CRLF;
}
