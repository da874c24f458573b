import { describe, expect, it } from "vitest";
import {
  layerShiftAt,
  localParts,
  nextShift,
  onCallAt,
  timeline,
  zonedWallTimeToUtc,
  type Override,
  type RotationLayer,
  type Schedule,
  type Shift,
} from "./rotation";

const HOUR = 3_600_000;
const BERLIN = "Europe/Berlin";
const NEW_YORK = "America/New_York";

const t = (iso: string) => new Date(iso);
const hours = (s: Shift) => (s.end.getTime() - s.start.getTime()) / HOUR;
/** Compact, readable form of a timeline: "person start→end" in UTC. */
const brief = (s: Shift | null) =>
  s && `${s.person} ${s.start.toISOString().slice(0, 16)}→${s.end.toISOString().slice(0, 16)}`;

function daily(overrides: Partial<RotationLayer> = {}): RotationLayer {
  return {
    name: "primary",
    people: ["a@x", "b@x", "c@x"],
    rotation: "daily",
    handoffTime: "09:00",
    handoffWeekday: 0,
    start: "2026-01-05",
    ...overrides,
  };
}

function weekly(overrides: Partial<RotationLayer> = {}): RotationLayer {
  return { ...daily(), name: "weekly", rotation: "weekly", handoffWeekday: 1, ...overrides };
}

function expectContiguous(shifts: Shift[]) {
  for (let i = 1; i < shifts.length; i++) {
    expect(shifts[i]!.start.getTime()).toBe(shifts[i - 1]!.end.getTime());
  }
  for (const s of shifts) expect(s.end.getTime()).toBeGreaterThan(s.start.getTime());
}

describe("zonedWallTimeToUtc and localParts", () => {
  it("converts ordinary wall times in winter and summer", () => {
    expect(zonedWallTimeToUtc(2026, 1, 15, 9, 0, BERLIN)).toEqual(t("2026-01-15T08:00:00Z"));
    expect(zonedWallTimeToUtc(2026, 7, 15, 9, 0, BERLIN)).toEqual(t("2026-07-15T07:00:00Z"));
    expect(zonedWallTimeToUtc(2026, 1, 15, 9, 0, NEW_YORK)).toEqual(t("2026-01-15T14:00:00Z"));
    expect(zonedWallTimeToUtc(2026, 7, 15, 9, 0, NEW_YORK)).toEqual(t("2026-07-15T13:00:00Z"));
    expect(zonedWallTimeToUtc(2026, 1, 1, 0, 0, "Asia/Kathmandu")).toEqual(
      t("2025-12-31T18:15:00Z"),
    );
    expect(zonedWallTimeToUtc(2026, 2, 28, 23, 59, "UTC")).toEqual(t("2026-02-28T23:59:00Z"));
  });

  it("moves nonexistent spring-forward times forward by the gap", () => {
    // Berlin: 02:00 CET → 03:00 CEST; New York: 02:00 EST → 03:00 EDT.
    expect(zonedWallTimeToUtc(2026, 3, 29, 2, 30, BERLIN)).toEqual(t("2026-03-29T01:30:00Z"));
    expect(localParts(t("2026-03-29T01:30:00Z"), BERLIN)).toMatchObject({ hour: 3, minute: 30 });
    expect(zonedWallTimeToUtc(2026, 3, 29, 2, 0, BERLIN)).toEqual(t("2026-03-29T01:00:00Z"));
    expect(zonedWallTimeToUtc(2026, 3, 8, 2, 30, NEW_YORK)).toEqual(t("2026-03-08T07:30:00Z"));
    expect(localParts(t("2026-03-08T07:30:00Z"), NEW_YORK)).toMatchObject({ hour: 3, minute: 30 });
  });

  it("takes the earlier instant for ambiguous fall-back times", () => {
    // Berlin repeats 02:00–02:59 (CEST, then CET); New York repeats 01:00–01:59.
    expect(zonedWallTimeToUtc(2026, 10, 25, 2, 30, BERLIN)).toEqual(t("2026-10-25T00:30:00Z"));
    expect(zonedWallTimeToUtc(2026, 11, 1, 1, 30, NEW_YORK)).toEqual(t("2026-11-01T05:30:00Z"));
    // 02:30 exists only once in New York that night (EST).
    expect(zonedWallTimeToUtc(2026, 11, 1, 2, 30, NEW_YORK)).toEqual(t("2026-11-01T07:30:00Z"));
    // Both instants read back as the same wall time.
    expect(localParts(t("2026-10-25T00:30:00Z"), BERLIN)).toMatchObject({ hour: 2, minute: 30 });
    expect(localParts(t("2026-10-25T01:30:00Z"), BERLIN)).toMatchObject({ hour: 2, minute: 30 });
  });

  it("reads local calendar parts and the weekday", () => {
    expect(localParts(t("2026-03-28T23:30:00Z"), BERLIN)).toEqual({
      year: 2026,
      month: 3,
      day: 29,
      hour: 0,
      minute: 30,
      weekday: 0,
    });
    expect(localParts(t("2026-01-01T03:00:00Z"), NEW_YORK)).toEqual({
      year: 2025,
      month: 12,
      day: 31,
      hour: 22,
      minute: 0,
      weekday: 3,
    });
  });
});

describe("daily rotation", () => {
  it("hands off at the local time in order and wraps around", () => {
    const layer = daily();
    const people = [0, 1, 2, 3, 4, 5, 6].map(
      (d) => layerShiftAt(layer, BERLIN, zonedWallTimeToUtc(2026, 1, 5 + d, 12, 0, BERLIN))!.person,
    );
    expect(people).toEqual(["a@x", "b@x", "c@x", "a@x", "b@x", "c@x", "a@x"]);

    // 08:59 on day two still belongs to the first shift; the handoff instant to the second.
    expect(layerShiftAt(layer, BERLIN, t("2026-01-06T07:59:00Z"))?.person).toBe("a@x");
    expect(brief(layerShiftAt(layer, BERLIN, t("2026-01-06T08:00:00Z")))).toBe(
      "b@x 2026-01-06T08:00→2026-01-07T08:00",
    );
    expect(layerShiftAt(layer, BERLIN, t("2026-01-06T08:00:00Z"))?.layer).toBe("primary");
  });

  it("has nobody on call before the first handoff or without people", () => {
    const layer = daily();
    expect(layerShiftAt(layer, BERLIN, t("2026-01-04T12:00:00Z"))).toBeNull();
    expect(layerShiftAt(layer, BERLIN, t("2026-01-05T07:59:59Z"))).toBeNull();
    expect(layerShiftAt(layer, BERLIN, t("2026-01-05T08:00:00Z"))?.person).toBe("a@x");
    expect(layerShiftAt(daily({ people: [] }), BERLIN, t("2026-02-01T12:00:00Z"))).toBeNull();
  });

  it("stays exact ten years after the start", () => {
    // 2026-01-05 → 2036-01-05 is 3652 days (2028 and 2032 are leap years); 3652 % 3 = 1.
    const shift = layerShiftAt(daily(), BERLIN, t("2036-01-05T12:00:00Z"))!;
    expect(brief(shift)).toBe("b@x 2036-01-05T08:00→2036-01-06T08:00");
    // Ten summers later the handoff is still 09:00 local.
    const summer = layerShiftAt(daily(), BERLIN, t("2036-07-01T12:00:00Z"))!;
    expect(localParts(summer.start, BERLIN)).toMatchObject({ hour: 9, minute: 0 });
  });

  it("rejects malformed layers", () => {
    const at = t("2026-02-01T00:00:00Z");
    expect(() => layerShiftAt(daily({ handoffTime: "9am" }), BERLIN, at)).toThrow(RangeError);
    expect(() => layerShiftAt(daily({ handoffTime: "24:00" }), BERLIN, at)).toThrow(RangeError);
    expect(() => layerShiftAt(daily({ start: "2026-02-30" }), BERLIN, at)).toThrow(RangeError);
    expect(() => layerShiftAt(weekly({ handoffWeekday: 7 }), BERLIN, at)).toThrow(RangeError);
    expect(() => layerShiftAt(daily(), "Mars/Olympus", at)).toThrow(RangeError);
  });
});

describe("weekly rotation", () => {
  // 2026-01-01 is a Thursday; the first Monday handoff is 2026-01-05 10:00 Berlin.
  const layer = weekly({ people: ["a@x", "b@x"], start: "2026-01-01", handoffTime: "10:00" });

  it("starts at the first handoff weekday on or after the start date", () => {
    expect(layerShiftAt(layer, BERLIN, t("2026-01-03T12:00:00Z"))).toBeNull();
    expect(layerShiftAt(layer, BERLIN, t("2026-01-05T08:59:00Z"))).toBeNull();
    expect(brief(layerShiftAt(layer, BERLIN, t("2026-01-05T09:00:00Z")))).toBe(
      "a@x 2026-01-05T09:00→2026-01-12T09:00",
    );
    // A start date that is itself the handoff weekday starts that day.
    const monday = weekly({ start: "2026-01-05", handoffTime: "10:00" });
    expect(layerShiftAt(monday, BERLIN, t("2026-01-05T09:00:00Z"))?.person).toBe("a@x");
  });

  it("rotates weekly and wraps around", () => {
    const wednesday = t("2026-01-07T12:00:00Z").getTime();
    const people = [0, 1, 2, 3, 4].map((w) =>
      layerShiftAt(layer, BERLIN, new Date(wednesday + w * 7 * 24 * HOUR))!,
    );
    expect(people.map((s) => s.person)).toEqual(["a@x", "b@x", "a@x", "b@x", "a@x"]);
    expect(people.map(hours)).toEqual([168, 168, 168, 168, 168]);
    // Sunday evening still belongs to the week that started the Monday before.
    expect(layerShiftAt(layer, BERLIN, t("2026-01-11T22:00:00Z"))?.person).toBe("a@x");
  });

  it("stays exact ten years after the start", () => {
    // 2026-01-05 → 2036-01-07 (a Monday) is 3654 days = 522 weeks: an even week, so a@x.
    expect(brief(layerShiftAt(layer, BERLIN, t("2036-01-08T12:00:00Z")))).toBe(
      "a@x 2036-01-07T09:00→2036-01-14T09:00",
    );
  });

  it("lasts 167 h over spring-forward and 169 h over fall-back", () => {
    const sunday = weekly({ handoffWeekday: 0, handoffTime: "09:00", start: "2026-01-01" });
    const spring = layerShiftAt(sunday, BERLIN, t("2026-03-25T12:00:00Z"))!;
    expect(brief(spring)).toMatch(/2026-03-22T08:00→2026-03-29T07:00$/);
    expect(hours(spring)).toBe(167);
    const fall = layerShiftAt(sunday, BERLIN, t("2026-10-21T12:00:00Z"))!;
    expect(hours(fall)).toBe(169);
  });
});

describe("daylight-saving changes", () => {
  // [zone, handoff, layer start, a moment, expected shift, hours]
  const cases: [string, string, string, string, string, number][] = [
    // Europe/Berlin, spring forward 2026-03-29 (02:00 → 03:00).
    [
      BERLIN,
      "09:00",
      "2026-03-01",
      "2026-03-29T00:00Z",
      "a@x 2026-03-28T08:00→2026-03-29T07:00",
      23,
    ],
    [
      BERLIN,
      "09:00",
      "2026-03-01",
      "2026-03-29T12:00Z",
      "b@x 2026-03-29T07:00→2026-03-30T07:00",
      24,
    ],
    // 02:30 does not exist on the 29th: the handoff moves to 03:30, so the short shift is the next one.
    [
      BERLIN,
      "02:30",
      "2026-03-01",
      "2026-03-29T00:00Z",
      "a@x 2026-03-28T01:30→2026-03-29T01:30",
      24,
    ],
    [
      BERLIN,
      "02:30",
      "2026-03-01",
      "2026-03-29T12:00Z",
      "b@x 2026-03-29T01:30→2026-03-30T00:30",
      23,
    ],
    // Europe/Berlin, fall back 2026-10-25 (03:00 → 02:00).
    [
      BERLIN,
      "09:00",
      "2026-10-01",
      "2026-10-25T00:00Z",
      "c@x 2026-10-24T07:00→2026-10-25T08:00",
      25,
    ],
    // 02:30 happens twice on the 25th: the handoff takes the first.
    [
      BERLIN,
      "02:30",
      "2026-10-01",
      "2026-10-25T00:00Z",
      "c@x 2026-10-24T00:30→2026-10-25T00:30",
      24,
    ],
    [
      BERLIN,
      "02:30",
      "2026-10-01",
      "2026-10-25T01:30Z",
      "a@x 2026-10-25T00:30→2026-10-26T01:30",
      25,
    ],
    // America/New_York, spring forward 2026-03-08 (02:00 → 03:00).
    [
      NEW_YORK,
      "09:00",
      "2026-03-01",
      "2026-03-08T12:00Z",
      "a@x 2026-03-07T14:00→2026-03-08T13:00",
      23,
    ],
    [
      NEW_YORK,
      "02:30",
      "2026-03-01",
      "2026-03-08T06:00Z",
      "a@x 2026-03-07T07:30→2026-03-08T07:30",
      24,
    ],
    [
      NEW_YORK,
      "02:30",
      "2026-03-01",
      "2026-03-08T12:00Z",
      "b@x 2026-03-08T07:30→2026-03-09T06:30",
      23,
    ],
    // America/New_York, fall back 2026-11-01 (02:00 → 01:00).
    [
      NEW_YORK,
      "09:00",
      "2026-10-01",
      "2026-11-01T12:00Z",
      "a@x 2026-10-31T13:00→2026-11-01T14:00",
      25,
    ],
    [
      NEW_YORK,
      "02:30",
      "2026-10-01",
      "2026-11-01T06:00Z",
      "a@x 2026-10-31T06:30→2026-11-01T07:30",
      25,
    ],
    // 01:30 is the ambiguous hour in New York: the first (EDT) one is the handoff.
    [
      NEW_YORK,
      "01:30",
      "2026-10-01",
      "2026-10-31T12:00Z",
      "a@x 2026-10-31T05:30→2026-11-01T05:30",
      24,
    ],
    [
      NEW_YORK,
      "01:30",
      "2026-10-01",
      "2026-11-01T06:00Z",
      "b@x 2026-11-01T05:30→2026-11-02T06:30",
      25,
    ],
  ];

  it.each(cases)("%s handoff %s (from %s) at %s", (zone, handoff, start, at, expected, length) => {
    const shift = layerShiftAt(daily({ handoffTime: handoff, start }), zone, t(at))!;
    expect(brief(shift)).toBe(expected);
    expect(hours(shift)).toBe(length);
  });

  it("hands off at the same wall-clock time every day of a DST month", () => {
    for (const zone of [BERLIN, NEW_YORK]) {
      for (const [handoff, month] of [
        ["09:00", 3],
        ["09:00", 10],
        ["02:30", 10],
      ] as const) {
        const shifts = timeline(
          {
            id: "s",
            timeZone: zone,
            layers: [daily({ handoffTime: handoff, start: "2026-01-01" })],
          },
          [],
          zonedWallTimeToUtc(2026, month, 1, 12, 0, zone),
          zonedWallTimeToUtc(2026, month + 1, 1, 12, 0, zone),
        );
        const [h, m] = handoff.split(":").map(Number);
        for (const s of shifts.slice(1)) {
          expect(localParts(s.start, zone)).toMatchObject({ hour: h, minute: m });
        }
        expect(shifts.length).toBe(32);
      }
    }
  });
});

describe("schedules: layers and overrides", () => {
  const schedule: Schedule = { id: "ops", timeZone: BERLIN, layers: [daily()] };
  // Monday 2026-01-05: a@x from 08:00Z until Tuesday 08:00Z, then b@x.
  const mon = (hhmm: string) => t(`2026-01-05T${hhmm}:00Z`);
  const tue = (hhmm: string) => t(`2026-01-06T${hhmm}:00Z`);

  it("cuts an override into the middle of a shift", () => {
    const overrides: Override[] = [{ person: "x@x", start: mon("12:00"), end: mon("14:00") }];
    expect(
      timeline(schedule, overrides, mon("00:00"), t("2026-01-07T08:00:00Z")).map(brief),
    ).toEqual([
      "a@x 2026-01-05T08:00→2026-01-05T12:00",
      "x@x 2026-01-05T12:00→2026-01-05T14:00",
      "a@x 2026-01-05T14:00→2026-01-06T08:00",
      "b@x 2026-01-06T08:00→2026-01-07T08:00",
    ]);
    expect(onCallAt(schedule, overrides, mon("13:00"))).toEqual({
      person: "x@x",
      start: mon("12:00"),
      end: mon("14:00"),
      layer: null,
    });
    // The layer shift is reported as the stretch before the override, so "until" is honest.
    expect(brief(onCallAt(schedule, overrides, mon("10:00")))).toBe(
      "a@x 2026-01-05T08:00→2026-01-05T12:00",
    );
    expect(brief(nextShift(schedule, overrides, mon("10:00")))).toBe(
      "x@x 2026-01-05T12:00→2026-01-05T14:00",
    );
    expect(brief(nextShift(schedule, overrides, mon("13:00")))).toBe(
      "a@x 2026-01-05T14:00→2026-01-06T08:00",
    );
  });

  it("lets an override span two shifts", () => {
    const overrides: Override[] = [{ person: "x@x", start: mon("20:00"), end: tue("20:00") }];
    expect(
      timeline(schedule, overrides, mon("08:00"), t("2026-01-07T08:00:00Z")).map(brief),
    ).toEqual([
      "a@x 2026-01-05T08:00→2026-01-05T20:00",
      "x@x 2026-01-05T20:00→2026-01-06T20:00",
      "b@x 2026-01-06T20:00→2026-01-07T08:00",
    ]);
    expect(onCallAt(schedule, overrides, tue("09:00"))?.person).toBe("x@x");
    expect(brief(nextShift(schedule, overrides, tue("09:00")))).toBe(
      "b@x 2026-01-06T20:00→2026-01-07T08:00",
    );
  });

  it("lets the latest override win where overrides overlap", () => {
    const x = { person: "x@x", start: mon("10:00"), end: mon("16:00") };
    const y = { person: "y@x", start: mon("12:00"), end: mon("14:00") };
    expect(timeline(schedule, [x, y], mon("08:00"), mon("18:00")).map(brief)).toEqual([
      "a@x 2026-01-05T08:00→2026-01-05T10:00",
      "x@x 2026-01-05T10:00→2026-01-05T12:00",
      "y@x 2026-01-05T12:00→2026-01-05T14:00",
      "x@x 2026-01-05T14:00→2026-01-05T16:00",
      "a@x 2026-01-05T16:00→2026-01-05T18:00",
    ]);
    expect(onCallAt(schedule, [x, y], mon("13:00"))?.person).toBe("y@x");
    expect(timeline(schedule, [y, x], mon("08:00"), mon("18:00")).map(brief)).toEqual([
      "a@x 2026-01-05T08:00→2026-01-05T10:00",
      "x@x 2026-01-05T10:00→2026-01-05T16:00",
      "a@x 2026-01-05T16:00→2026-01-05T18:00",
    ]);
    expect(onCallAt(schedule, [y, x], mon("13:00"))?.person).toBe("x@x");
  });

  it("gives later layers precedence over earlier ones", () => {
    const base = daily({ name: "base" });
    // Weekly layer that starts a week later, only from Monday 2026-01-12 10:00.
    const lead = weekly({
      name: "lead",
      people: ["lead@x"],
      start: "2026-01-12",
      handoffTime: "10:00",
    });
    const at = t("2026-01-13T12:00:00Z");
    const early = t("2026-01-08T12:00:00Z");

    const leadOnTop: Schedule = { id: "s", timeZone: BERLIN, layers: [base, lead] };
    expect(onCallAt(leadOnTop, [], at)).toMatchObject({ person: "lead@x", layer: "lead" });
    expect(onCallAt(leadOnTop, [], early)).toMatchObject({ layer: "base" });
    const baseOnTop: Schedule = { id: "s", timeZone: BERLIN, layers: [lead, base] };
    expect(onCallAt(baseOnTop, [], at)).toMatchObject({ layer: "base" });
    // Overrides beat every layer.
    const o = [{ person: "x@x", start: at, end: t("2026-01-13T13:00:00Z") }];
    expect(onCallAt(leadOnTop, o, at)).toMatchObject({ person: "x@x", layer: null });
    // The base layer takes over again wherever the top layer has no shift.
    expect(
      timeline(leadOnTop, [], t("2026-01-12T00:00:00Z"), t("2026-01-13T00:00:00Z")).map(brief),
    ).toEqual([
      "a@x 2026-01-12T00:00→2026-01-12T08:00",
      "b@x 2026-01-12T08:00→2026-01-12T09:00",
      "lead@x 2026-01-12T09:00→2026-01-13T00:00",
    ]);
  });

  it("restricts a layer to a daily window", () => {
    const office = daily({
      name: "office",
      people: ["day@x"],
      window: { from: "09:00", to: "17:00" },
      start: "2026-01-01",
      handoffTime: "00:00",
    });
    const s: Schedule = {
      id: "s",
      timeZone: BERLIN,
      layers: [daily({ start: "2026-01-01" }), office],
    };
    expect(
      timeline(s, [], t("2026-01-05T00:00:00Z"), t("2026-01-06T12:00:00Z")).map(brief),
    ).toEqual([
      "a@x 2026-01-05T00:00→2026-01-05T08:00",
      "day@x 2026-01-05T08:00→2026-01-05T16:00",
      "b@x 2026-01-05T16:00→2026-01-06T08:00",
      "day@x 2026-01-06T08:00→2026-01-06T12:00",
    ]);
    expect(layerShiftAt(office, BERLIN, t("2026-01-05T07:00:00Z"))).toBeNull();
    expect(brief(layerShiftAt(office, BERLIN, t("2026-01-05T10:00:00Z")))).toBe(
      "day@x 2026-01-05T08:00→2026-01-05T16:00",
    );
    expect(brief(nextShift({ ...s, layers: [office] }, [], t("2026-01-05T17:00:00Z")))).toBe(
      "day@x 2026-01-06T08:00→2026-01-06T16:00",
    );

    // Overnight windows run into the next morning; handoffs inside them split the piece.
    const nights = daily({
      name: "nights",
      window: { from: "22:00", to: "06:00" },
      handoffTime: "00:00",
    });
    expect(
      timeline(
        { id: "n", timeZone: BERLIN, layers: [nights] },
        [],
        t("2026-01-06T00:00:00Z"),
        t("2026-01-07T12:00:00Z"),
      ).map(brief),
    ).toEqual([
      "b@x 2026-01-06T00:00→2026-01-06T05:00",
      "b@x 2026-01-06T21:00→2026-01-06T23:00",
      "c@x 2026-01-06T23:00→2026-01-07T05:00",
    ]);
  });

  it("finds the next shift from a gap and returns null when nothing is coming", () => {
    expect(brief(nextShift(schedule, [], t("2026-01-01T00:00:00Z")))).toBe(
      "a@x 2026-01-05T08:00→2026-01-06T08:00",
    );
    expect(onCallAt(schedule, [], t("2026-01-01T00:00:00Z"))).toBeNull();
    const o = [{ person: "x@x", start: t("2026-01-02T00:00:00Z"), end: t("2026-01-03T00:00:00Z") }];
    expect(brief(nextShift(schedule, o, t("2026-01-01T00:00:00Z")))).toBe(
      "x@x 2026-01-02T00:00→2026-01-03T00:00",
    );
    const empty: Schedule = { id: "e", timeZone: BERLIN, layers: [] };
    expect(nextShift(empty, [], t("2026-01-01T00:00:00Z"))).toBeNull();
    expect(nextShift(empty, o, t("2026-01-02T12:00:00Z"))).toBeNull();
    expect(timeline(empty, [], t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"))).toEqual([]);
  });

  it("clips the timeline to the range", () => {
    expect(timeline(schedule, [], mon("12:00"), tue("12:00")).map(brief)).toEqual([
      "a@x 2026-01-05T12:00→2026-01-06T08:00",
      "b@x 2026-01-06T08:00→2026-01-06T12:00",
    ]);
    expect(timeline(schedule, [], tue("12:00"), mon("12:00"))).toEqual([]);
  });
});

describe("timeline over twelve weeks", () => {
  const schedule: Schedule = {
    id: "ops",
    timeZone: NEW_YORK,
    layers: [
      daily({ start: "2026-02-01", handoffTime: "02:30" }),
      weekly({ name: "secondary", people: ["d@x", "e@x"], start: "2026-02-20", handoffWeekday: 5 }),
      daily({
        name: "office",
        people: ["f@x"],
        start: "2026-02-01",
        window: { from: "09:00", to: "17:00" },
      }),
    ],
  };
  const overrides: Override[] = [
    { person: "x@x", start: t("2026-03-07T20:00:00Z"), end: t("2026-03-09T20:00:00Z") },
    { person: "y@x", start: t("2026-03-08T06:00:00Z"), end: t("2026-03-08T08:00:00Z") },
    { person: "z@x", start: t("2026-04-20T00:00:00Z"), end: t("2026-04-20T00:00:00Z") },
  ];
  const from = t("2026-02-15T00:00:00Z");
  const to = new Date(from.getTime() + 12 * 7 * 24 * HOUR);

  // No assertion on how long it takes: a shared machine can stall any test for a second.
  it("is contiguous and covers the range", () => {
    const shifts = timeline(schedule, overrides, from, to);
    expectContiguous(shifts);
    expect(shifts[0]!.start).toEqual(from);
    expect(shifts.at(-1)!.end).toEqual(to);
    expect(shifts.some((s) => s.person === "z@x")).toBe(false);
  });

  it("agrees with onCallAt and nextShift at every moment sampled", () => {
    const shifts = timeline(schedule, overrides, from, to);
    // The first and last shifts are clipped to the range, and so is the one after the
    // second-to-last as a nextShift answer; sample between them.
    const first = shifts[1]!.start.getTime();
    const last = shifts.at(-2)!.start.getTime();
    const step = 97 * 60_000; // not a divisor of an hour, so samples drift across handoffs
    for (let ms = first; ms < last; ms += step) {
      const at = new Date(ms);
      const i = shifts.findIndex((s) => s.start <= at && at < s.end);
      const current = onCallAt(schedule, overrides, at)!;
      expect(current).toEqual(shifts[i]);
      expect(nextShift(schedule, overrides, at)).toEqual(shifts[i + 1]);
    }
  });
});
