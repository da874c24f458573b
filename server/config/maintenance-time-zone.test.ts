import { describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config/load";

const yaml = (zone: string) => `
environments: [{ id: production, name: Production }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" } } }
maintenanceWindows:
  - { id: nightly, cron: "0 2 * * *", duration: 1h, ${zone} }
`;

describe("maintenance windows' time zone", () => {
  it("is spelled timeZone, as schedules spell it", () => {
    const loaded = parseConfig(yaml("timeZone: Europe/Berlin"), "t.yaml", () => undefined);
    expect(loaded.config.maintenanceWindows[0]!.timeZone).toBe("Europe/Berlin");
    expect(loaded.warnings).toEqual([]);
  });
  it("still reads the old spelling, with a warning", () => {
    const loaded = parseConfig(yaml("timezone: Europe/Berlin"), "t.yaml", () => undefined);
    expect(loaded.config.maintenanceWindows[0]!.timeZone).toBe("Europe/Berlin");
    expect(loaded.warnings).toEqual([
      {
        path: "maintenanceWindows[0].timezone",
        message: "deprecated: spell it timeZone, as schedules do",
      },
    ]);
  });
  it("defaults to UTC and refuses an unknown zone", () => {
    const loaded = parseConfig(yaml("name: Nightly"), "t.yaml", () => undefined);
    expect(loaded.config.maintenanceWindows[0]!.timeZone).toBe("UTC");
    expect(() => parseConfig(yaml("timeZone: Mars/Olympus"), "t.yaml", () => undefined)).toThrow(
      /IANA time zone/,
    );
  });
});
