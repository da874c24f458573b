import { describe, expect, it } from "vitest";
import { escapeText, foldLine, formatICalDate, shiftsToICal } from "./ical";

const octets = (s: string) => new TextEncoder().encode(s).length;
const unfold = (text: string) => text.replace(/\r\n /g, "");
const unescape = (value: string) =>
  value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));

/** Minimal reader for the feed: unfolds, then splits each content line into name and value. */
function parse(text: string): [string, string][] {
  return unfold(text)
    .split("\r\n")
    .filter((line) => line !== "")
    .map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon), line.slice(colon + 1)];
    });
}

const base = {
  calendarName: "Opsdeck: Primary",
  uidDomain: "opsdeck.example.com",
  now: new Date("2026-03-01T12:34:56.789Z"),
};

describe("iCalendar text values", () => {
  it("escapes backslash, semicolon, comma and newlines", () => {
    expect(escapeText("a\\b;c,d\ne\r\nf\rg")).toBe("a\\\\b\\;c\\,d\\ne\\nf\\ng");
    expect(escapeText("tab\tkept, bell\u0007 dropped")).toBe("tab\tkept\\, bell dropped");
    expect(escapeText('C:\\ops; on-call, "nights"')).toBe('C:\\\\ops\\; on-call\\, "nights"');
  });

  it("formats UTC date-times without separators or milliseconds", () => {
    expect(formatICalDate(new Date("2026-03-29T01:30:00.999Z"))).toBe("20260329T013000Z");
    expect(formatICalDate(new Date("2026-12-31T23:59:59Z"))).toBe("20261231T235959Z");
    expect(() => formatICalDate(new Date("nope"))).toThrow(RangeError);
  });

  it("escapes every text property of the feed", () => {
    const ics = shiftsToICal({
      ...base,
      calendarName: "Ops; Primary, EU",
      events: [
        {
          uid: "s1",
          summary: "On call: a@x; b@x, c@x",
          description: "Line one\nLine two \\ end",
          start: new Date("2026-03-01T08:00:00Z"),
          end: new Date("2026-03-02T08:00:00Z"),
          url: "https://ops.example.com/on-call?schedule=primary&a=1,2;3",
        },
      ],
    });
    expect(ics).toContain("X-WR-CALNAME:Ops\\; Primary\\, EU\r\n");
    expect(ics).toContain("SUMMARY:On call: a@x\\; b@x\\, c@x\r\n");
    expect(ics).toContain("DESCRIPTION:Line one\\nLine two \\\\ end\r\n");
    // URIs are not TEXT: commas and semicolons stay as they are.
    expect(unfold(ics)).toContain(
      "URL:https://ops.example.com/on-call?schedule=primary&a=1,2;3\r\n",
    );
  });
});

describe("line folding", () => {
  it("leaves short lines alone and folds long ASCII lines at exactly 75 octets", () => {
    expect(foldLine("SUMMARY:short")).toBe("SUMMARY:short");
    const long = `SUMMARY:${"x".repeat(200)}`;
    const lines = foldLine(long).split("\r\n");
    expect(lines.map(octets)).toEqual([75, 75, 60]);
    expect(lines.slice(1).every((l) => l.startsWith(" "))).toBe(true);
    expect(unfold(foldLine(long))).toBe(long);
  });

  it("never splits a multi-byte UTF-8 sequence", () => {
    // 2-, 3- and 4-byte characters, including a surrogate pair in UTF-16.
    const summary = "Bereitschaft für Jürgen → 日本語チーム 🚨🔥 ".repeat(6);
    const ics = shiftsToICal({
      ...base,
      events: [
        {
          uid: "u1",
          summary,
          start: new Date("2026-03-01T08:00:00Z"),
          end: new Date("2026-03-02T08:00:00Z"),
        },
      ],
    });
    const physical = ics.split("\r\n");
    expect(physical.filter((l) => l.startsWith(" ")).length).toBeGreaterThan(3);
    for (const line of physical) {
      expect(octets(line)).toBeLessThanOrEqual(75);
      // A split code point would not survive a UTF-8 round trip (lone surrogate → U+FFFD).
      expect(new TextDecoder().decode(new TextEncoder().encode(line))).toBe(line);
    }
    // Some line must be full short of one multi-byte character, or the test proves nothing.
    expect(physical.some((l) => octets(l) < 75 && octets(l) > 71)).toBe(true);
    const props = parse(ics);
    expect(props.find(([name]) => name === "SUMMARY")?.[1]).toBe(escapeText(summary));
  });
});

describe("calendar structure", () => {
  const events = [
    {
      uid: "primary-2026-03-01",
      summary: "On call: a@x",
      description: "Primary layer",
      start: new Date("2026-03-01T08:00:00Z"),
      end: new Date("2026-03-02T08:00:00Z"),
      url: "https://ops.example.com/on-call",
    },
    {
      uid: "override-7",
      summary: "On call (override): x@x",
      start: new Date("2026-03-02T08:00:00Z"),
      end: new Date("2026-03-02T20:00:00Z"),
    },
  ];

  it("round-trips into the expected components and properties", () => {
    const ics = shiftsToICal({ ...base, events });
    expect(ics.endsWith("END:VCALENDAR\r\n")).toBe(true);
    // Every line break is CRLF.
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);

    const props = parse(ics);
    expect(props.slice(0, 6)).toEqual([
      ["BEGIN", "VCALENDAR"],
      ["VERSION", "2.0"],
      ["PRODID", "-//Opsdeck//On-call//EN"],
      ["CALSCALE", "GREGORIAN"],
      ["METHOD", "PUBLISH"],
      ["X-WR-CALNAME", "Opsdeck: Primary"],
    ]);
    expect(props.at(-1)).toEqual(["END", "VCALENDAR"]);

    // BEGIN/END nest properly and each VEVENT carries its own properties.
    const stack: string[] = [];
    const parsed: Record<string, string>[] = [];
    for (const [name, value] of props) {
      if (name === "BEGIN") {
        stack.push(value);
        if (value === "VEVENT") parsed.push({});
      } else if (name === "END") {
        expect(stack.pop()).toBe(value);
      } else if (stack.at(-1) === "VEVENT") {
        parsed.at(-1)![name] = value;
      }
    }
    expect(stack).toEqual([]);
    expect(parsed).toEqual([
      {
        UID: "primary-2026-03-01@opsdeck.example.com",
        DTSTAMP: "20260301T123456Z",
        DTSTART: "20260301T080000Z",
        DTEND: "20260302T080000Z",
        SUMMARY: "On call: a@x",
        DESCRIPTION: "Primary layer",
        URL: "https://ops.example.com/on-call",
      },
      {
        UID: "override-7@opsdeck.example.com",
        DTSTAMP: "20260301T123456Z",
        DTSTART: "20260302T080000Z",
        DTEND: "20260302T200000Z",
        SUMMARY: "On call (override): x@x",
      },
    ]);
    expect(parsed.map((e) => unescape(e.SUMMARY!))).toEqual(events.map((e) => e.summary));
  });

  it("uses a custom PRODID, allows an empty calendar and rejects empty events", () => {
    const ics = shiftsToICal({ ...base, prodId: "-//Acme//Ops//EN", events: [] });
    expect(ics).toBe(
      [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Acme//Ops//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Opsdeck: Primary",
        "END:VCALENDAR",
        "",
      ].join("\r\n"),
    );
    const start = new Date("2026-03-01T08:00:00Z");
    expect(() =>
      shiftsToICal({ ...base, events: [{ uid: "e", summary: "x", start, end: start }] }),
    ).toThrow(RangeError);
  });
});
