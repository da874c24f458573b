import { describe, expect, it } from "vitest";
import { fresher, mergeLiveState, type LiveAlertsView, type LiveState } from "./live-state";
import type { UptimeStatusView } from "./uptime-view";

const alerts = (at: string, total: number): LiveAlertsView => ({
  at,
  firing: { total, critical: 0, warning: total, info: 0 },
  newest: [],
  version: `v${total}`,
});
const uptime = (at: string): UptimeStatusView => ({ monitors: [], incidents: [], at });

describe("the live cache", () => {
  it("keeps the views it last had when a poll did not ask for them", () => {
    const cached: LiveState = {
      alerts: alerts("2026-12-01T10:00:00Z", 0),
      views: { overview: uptime("2026-12-01T10:00:00Z") },
    };
    const next = mergeLiveState(cached, {
      alerts: alerts("2026-12-01T10:00:05Z", 1),
      views: { "one:a": uptime("2026-12-01T10:00:05Z") },
    });
    expect(next.alerts.firing.total).toBe(1);
    expect(next.views.overview).toBe(cached.views.overview);
    expect(next.views["one:a"]?.at).toBe("2026-12-01T10:00:05Z");
  });

  it("keeps at most eight views, the ones just fetched first", () => {
    const old = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`one:${i}`, uptime("2026-12-01T10:00:00Z")]),
    );
    const next = mergeLiveState(
      { alerts: alerts("2026-12-01T10:00:00Z", 0), views: old },
      {
        alerts: alerts("2026-12-01T10:00:05Z", 0),
        views: { overview: uptime("2026-12-01T10:00:05Z") },
      },
    );
    expect(Object.keys(next.views)).toHaveLength(8);
    expect(next.views.overview?.at).toBe("2026-12-01T10:00:05Z");
  });

  it("never goes back to an older snapshot than one it has shown (a slow response arriving late)", () => {
    const cached: LiveState = {
      alerts: alerts("2026-12-01T10:00:10Z", 2),
      views: { overview: uptime("2026-12-01T10:00:10Z") },
    };
    const late = mergeLiveState(cached, {
      alerts: alerts("2026-12-01T10:00:05Z", 1),
      views: { overview: uptime("2026-12-01T10:00:05Z"), all: uptime("2026-12-01T10:00:05Z") },
    });
    expect(late.alerts.firing.total).toBe(2);
    expect(late.views.overview?.at).toBe("2026-12-01T10:00:10Z");
    expect(late.views.all?.at).toBe("2026-12-01T10:00:05Z");
  });

  it("prefers a page's own server render to an older cached poll, and a newer poll to the render", () => {
    const render = uptime("2026-12-01T10:00:03Z");
    expect(fresher(render, uptime("2026-12-01T10:00:00Z"))).toBe(render);
    expect(fresher(render, uptime("2026-12-01T10:00:08Z"))?.at).toBe("2026-12-01T10:00:08Z");
    expect(fresher(render, null)).toBe(render);
    expect(fresher(null, null)).toBeNull();
  });
});
