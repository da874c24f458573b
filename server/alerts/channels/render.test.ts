import { describe, expect, it } from "vitest";
import { whenLine } from "./render";

describe("whenLine", () => {
  it("prints human times with the zone named, and leaves the ISO fields alone", () => {
    const alert = {
      status: "resolved" as const,
      startsAt: "2026-12-02T11:32:00.000Z",
      endsAt: "2026-12-02T12:05:00.000Z",
    };
    expect(whenLine(alert)).toBe("Since 2 Dec 2026, 11:32 UTC, resolved 2 Dec 2026, 12:05 UTC");
    expect(alert.startsAt).toBe("2026-12-02T11:32:00.000Z");
    expect(whenLine({ status: "event", startsAt: alert.startsAt, endsAt: null })).toBe(
      "At 2 Dec 2026, 11:32 UTC",
    );
  });
});
