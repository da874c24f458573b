import { describe, expect, it } from "vitest";
import {
  joinViewKeys,
  monitorViewKey,
  parseMonitorViewKey,
  splitViewKeys,
  type MonitorViewSpec,
} from "./live-views";

const list = (
  filter: Partial<Record<"environment" | "service" | "status" | "q", string>>,
  page = 1,
) =>
  ({
    kind: "list",
    filter: { environment: "", service: "", status: "", q: "", ...filter },
    page,
  }) as const;

describe("live monitor views", () => {
  it("round-trip through their keys and through one query value, commas and all", () => {
    const specs: MonitorViewSpec[] = [
      { kind: "all" },
      { kind: "overview" },
      { kind: "one", id: "api-health" },
      list({ service: "backend", status: "down", q: "a,b & c=d %41 100%" }, 3),
    ];
    const keys = specs.map(monitorViewKey);
    expect(keys.slice(0, 3)).toEqual(["all", "overview", "one:api-health"]);
    const back = splitViewKeys(joinViewKeys(keys)).map(parseMonitorViewKey);
    expect(back).toEqual(specs);
    // As the route reads it: the query value decoded once by the URL, then split.
    const wire = new URL(`http://x/api/live?views=${encodeURIComponent(joinViewKeys(keys))}`);
    expect(splitViewKeys(wire.searchParams.get("views")!).map(parseMonitorViewKey)).toEqual(specs);
  });

  it("give one key for one filter and page, whatever the order or empty fields", () => {
    expect(monitorViewKey(list({}))).toBe("list:");
    expect(monitorViewKey(list({ status: "up", service: "s" }, 2))).toBe(
      "list:service=s&status=up&page=2",
    );
  });

  it("refuse unknown views, unknown filters, bad pages and oversized keys with a message", () => {
    for (const bad of [
      "everything",
      "one:",
      "list:colour=red",
      "list:page=0",
      "list:page=1.5",
      "list:page=-3",
      `one:${"x".repeat(300)}`,
      `list:q=${"x".repeat(700)}`,
    ]) {
      const r = parseMonitorViewKey(bad);
      expect(r, bad).toHaveProperty("error");
      expect((r as { error: string }).error.length, bad).toBeLessThan(200);
    }
  });

  it("cap a search at 200 characters and trim it, as the page's own filter does", () => {
    const r = parseMonitorViewKey(`list:q=${encodeURIComponent(`  ${"y".repeat(250)} `)}`);
    expect(r).toMatchObject({ kind: "list", filter: { q: "y".repeat(200) } });
  });
});
