import { describe, expect, it } from "vitest";
import { formatHumanTime } from "./format";

describe("formatHumanTime", () => {
  it("reads as a day, month, year and time with the zone named", () => {
    expect(formatHumanTime("2026-12-02T11:32:45.000Z")).toBe("2 Dec 2026, 11:32 UTC");
  });
  it("shows another zone's local time when asked", () => {
    expect(formatHumanTime(new Date("2026-12-02T11:32:00Z"), "Europe/Berlin")).toBe(
      "2 Dec 2026, 12:32 Europe/Berlin",
    );
  });
});
