import { describe, expect, it } from "vitest";
import { resolveTimeZone } from "./viewer-time-zone";

describe("the viewer's time zone", () => {
  it("their own setting wins over the browser's cookie", () => {
    expect(resolveTimeZone("America/New_York", "Asia/Tokyo")).toBe("America/New_York");
  });
  it("without a setting, the browser's zone from the cookie (URL-encoded or not)", () => {
    expect(resolveTimeZone(null, "Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(resolveTimeZone(null, "America%2FNew_York")).toBe("America/New_York");
  });
  it("neither: UTC", () => {
    expect(resolveTimeZone(null, undefined)).toBe("UTC");
  });
  it("an invalid cookie is ignored", () => {
    for (const bad of ["Mars/Olympus", "+09:00", "<script>", "%E0%A4%A", "a".repeat(100)])
      expect(resolveTimeZone(null, bad)).toBe("UTC");
  });
  it("a stored setting the runtime no longer knows falls back to the cookie", () => {
    expect(resolveTimeZone("Nowhere/Gone", "Europe/Berlin")).toBe("Europe/Berlin");
  });
});
