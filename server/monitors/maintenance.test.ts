import { describe, expect, it } from "vitest";
import type { MaintenanceWindowConfig } from "@/server/config/schema";
import { maintenanceMatcher } from "./maintenance";

const base = { monitors: [], services: [], environments: [], timeZone: "UTC" };
const m = { id: "api", service: "backend", environment: "production" };

describe("maintenance windows", () => {
  it("one-off windows cover [start, end)", () => {
    const match = maintenanceMatcher([
      {
        ...base,
        id: "w",
        start: "2026-12-01T02:00:00Z",
        end: "2026-12-01T04:00:00Z",
      } as MaintenanceWindowConfig,
    ]);
    expect(match(m, Date.parse("2026-12-01T01:59:59Z"))).toBe(false);
    expect(match(m, Date.parse("2026-12-01T02:00:00Z"))).toBe(true);
    expect(match(m, Date.parse("2026-12-01T03:59:59Z"))).toBe(true);
    expect(match(m, Date.parse("2026-12-01T04:00:00Z"))).toBe(false);
  });

  it("recurring windows follow their cron and time zone, across daylight saving", () => {
    const match = maintenanceMatcher([
      {
        ...base,
        id: "w",
        cron: "0 2 * * 0",
        duration: 30 * 60_000,
        timeZone: "Europe/Berlin",
      } as MaintenanceWindowConfig,
    ]);
    // Sunday 2026-03-22, 02:00 in Berlin is 01:00 UTC (winter time).
    expect(match(m, Date.parse("2026-03-22T01:10:00Z"))).toBe(true);
    expect(match(m, Date.parse("2026-03-22T01:31:00Z"))).toBe(false);
    // Sunday 2026-04-05, 02:00 in Berlin is 00:00 UTC (summer time).
    expect(match(m, Date.parse("2026-04-05T00:10:00Z"))).toBe(true);
    expect(match(m, Date.parse("2026-04-05T01:10:00Z"))).toBe(false);
    // Not on a Monday.
    expect(match(m, Date.parse("2026-03-23T01:10:00Z"))).toBe(false);
  });

  it("selects by monitor, service or environment", () => {
    const window = { ...base, id: "w", start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z" };
    const at = Date.parse("2026-06-01T00:00:00Z");
    expect(
      maintenanceMatcher([{ ...window, environments: ["staging"] } as MaintenanceWindowConfig])(
        m,
        at,
      ),
    ).toBe(false);
    expect(
      maintenanceMatcher([{ ...window, services: ["backend"] } as MaintenanceWindowConfig])(m, at),
    ).toBe(true);
    expect(
      maintenanceMatcher([{ ...window, monitors: ["api"] } as MaintenanceWindowConfig])(m, at),
    ).toBe(true);
  });
});
