import { describe, expect, it } from "vitest";
import { formatHumanTime } from "./format";
import {
  formatClock,
  formatZoned,
  isListedTimeZone,
  isTimeZone,
  timeZoneList,
  toDateTimeLocal,
} from "./time-zone";

describe("formatting in a zone", () => {
  it("follows the zone across the spring-forward boundary (Europe/Berlin, 29 Mar 2026)", () => {
    // 00:59:59 UTC is 01:59:59 CET; one second later the clocks jump to 03:00 CEST.
    expect(formatZoned("2026-03-29T00:59:59Z", "Europe/Berlin")).toBe("2026-03-29 01:59:59");
    expect(formatZoned("2026-03-29T01:00:00Z", "Europe/Berlin")).toBe("2026-03-29 03:00:00");
  });
  it("shows the repeated hour twice at fall-back (America/New_York, 1 Nov 2026)", () => {
    expect(formatClock("2026-11-01T05:30:00Z", "America/New_York")).toBe("01:30");
    expect(formatClock("2026-11-01T06:30:00Z", "America/New_York")).toBe("01:30");
    expect(formatClock("2026-11-01T07:30:00Z", "America/New_York")).toBe("02:30");
  });
  it("24-hour clock, midnight as 00", () => {
    expect(formatZoned("2026-12-02T15:00:00Z", "Asia/Tokyo")).toBe("2026-12-03 00:00:00");
    expect(toDateTimeLocal("2026-12-02T15:00:00Z", "Asia/Tokyo")).toBe("2026-12-03T00:00");
  });
  it("formatHumanTime names the zone and uses it", () => {
    expect(formatHumanTime("2026-07-01T10:05:00Z", "Europe/Berlin")).toBe(
      "1 Jul 2026, 12:05 Europe/Berlin",
    );
    expect(formatHumanTime("2026-12-02T11:32:00Z")).toBe("2 Dec 2026, 11:32 UTC");
  });
});

describe("zone names", () => {
  it("accepts IANA names, refuses offsets and junk", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("+01:00")).toBe(false);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone(42)).toBe(false);
  });
  it("the list starts with UTC and holds the runtime's zones", () => {
    const list = timeZoneList();
    expect(list[0]).toBe("UTC");
    expect(list).toContain("America/New_York");
    expect(isListedTimeZone("Asia/Tokyo")).toBe(true);
    expect(isListedTimeZone("Mars/Olympus")).toBe(false);
  });
});
