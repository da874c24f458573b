import { describe, expect, it } from "vitest";
import { filterMonitors, monitorFilterOf, pageOf } from "./monitor-list";
import { overviewOf } from "./overview";
import type { MonitorSummaryView } from "./uptime-view";

const summary = (i: number, over: Partial<MonitorSummaryView> = {}): MonitorSummaryView => ({
  id: `m-${String(i).padStart(4, "0")}`,
  name: `Monitor ${i}`,
  type: "http",
  service: `svc-${Math.floor(i / 5)}`,
  environment: i % 2 ? "staging" : "production",
  badge: false,
  status: "up",
  since: null,
  lastCheckAt: null,
  lastResponseMs: 100 + i,
  lastError: null,
  tlsDaysLeft: null,
  uptime: { "24h": 1 - i / 10_000, "7d": 1, "30d": 1, "90d": 1 },
  uptimeSince: { "24h": null, "7d": null, "30d": null, "90d": null },
  p95Ms24h: 120,
  ...over,
});

const thousand = Array.from({ length: 1000 }, (_, i) =>
  summary(i, i % 97 === 0 ? { status: "down", lastError: "connection refused" } : {}),
);

describe("the /uptime list, paged on the server", () => {
  it("shows 50 of 1,000 with their positions, and clamps a page past the end", () => {
    const p = pageOf(thousand, 2);
    expect(p.items.map((m) => m.id)[0]).toBe("m-0050");
    expect([p.from, p.to, p.total, p.pages]).toEqual([51, 100, 1000, 20]);
    const last = pageOf(thousand, 999);
    expect([last.page, last.from, last.to]).toEqual([20, 951, 1000]);
    expect(pageOf([], 3)).toMatchObject({ page: 1, from: 0, to: 0, total: 0, items: [] });
    expect(pageOf(thousand, undefined).page).toBe(1);
  });

  it("applies state, service, environment and search before paging", () => {
    const down = filterMonitors(thousand, monitorFilterOf({ status: "down" }));
    expect(down).toHaveLength(11);
    expect(down.every((m) => m.status === "down")).toBe(true);
    const svc = filterMonitors(
      thousand,
      monitorFilterOf({ service: "svc-3", environment: "staging" }),
    );
    expect(svc.map((m) => m.id)).toEqual(["m-0015", "m-0017", "m-0019"]);
    // Search: case-insensitive, over name, id and service; blanks around it ignored.
    expect(
      filterMonitors(thousand, monitorFilterOf({ q: "  MONITOR 99 " })).map((m) => m.id),
    ).toEqual(["m-0099", ...Array.from({ length: 10 }, (_, i) => `m-0${990 + i}`)]);
    expect(filterMonitors(thousand, monitorFilterOf({ q: "svc-199" }))).toHaveLength(5);
    expect(filterMonitors(thousand, monitorFilterOf({ q: "nothing like it" }))).toEqual([]);
    // Only the first value of a repeated parameter counts.
    expect(monitorFilterOf({ status: ["down", "up"] }).status).toBe("down");
  });
});

describe("the Overview's summary", () => {
  it("gives each cell its worst state, lowest 24 h uptime and slowest response, and lists the monitors not up", () => {
    const view = overviewOf({ monitors: thousand, incidents: [], at: "2026-12-02T00:00:00Z" });
    // svc-0 production: m-0000 (down), m-0002, m-0004.
    expect(view.cells["svc-0/production"]).toEqual({
      worst: "down",
      monitors: 3,
      uptime24h: 1 - 4 / 10_000,
      latencyMs: 104,
    });
    expect(view.cells["svc-0/staging"]).toMatchObject({ worst: "up", monitors: 2 });
    expect(Object.keys(view.cells)).toHaveLength(400);
    expect(view.counts).toEqual({ up: 989, down: 11 });
    expect(view.notUpTotal).toBe(11);
    expect(view.notUp.map((m) => m.id)).toContain("m-0097");
    // The page carries summaries, not the thousand monitors.
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(thousand).length / 3);
  });

  it("lists at most 20 monitors not up, the worst first", () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      summary(i, { status: i < 40 ? "unknown" : "down" }),
    );
    const view = overviewOf({ monitors: many, incidents: [], at: "2026-12-02T00:00:00Z" });
    expect(view.notUp).toHaveLength(20);
    expect(view.notUp.every((m) => m.status === "down")).toBe(true);
    expect(view.notUpTotal).toBe(60);
  });
});
