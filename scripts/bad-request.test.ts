import { describe, expect, it } from "vitest";
import { unparseableRequest } from "./bad-request";

const req = (url: string, headers: Record<string, string | string[]> = {}) =>
  unparseableRequest({ url, headers });

describe("requests Next cannot take", () => {
  it("a path with a bad %-escape", () => {
    expect(req("/%ff")).toMatch(/invalid %-escape/);
    expect(req("/uptime/a%20b?x=%ff")).toBeNull();
  });

  it("a router state header that Next's own parser refuses", () => {
    for (const tree of ["%%%garbage", "notjson", encodeURIComponent("[1,2]"), "x".repeat(50_000)]) {
      expect(req("/uptime", { "next-router-state-tree": tree }), tree.slice(0, 20)).toMatch(
        /Next-Router-State-Tree/,
      );
    }
    const real = encodeURIComponent(
      JSON.stringify(["", { children: ["(dashboard)", { children: ["__PAGE__", {}] }] }]),
    );
    expect(req("/uptime", { "next-router-state-tree": real })).toBeNull();
    expect(req("/uptime")).toBeNull();
  });
});
