import { describe, expect, it } from "vitest";
import { formatPromFloat } from "./format-float";

describe("formatPromFloat writes values as Prometheus's JSON does (Go's FormatFloat 'f', -1)", () => {
  it.each([
    [0, "0"],
    [-0, "-0"],
    [1, "1"],
    [-2.5, "-2.5"],
    [0.1, "0.1"],
    [1 / 3, "0.3333333333333333"],
    [1e-7, "0.0000001"],
    [-1.5e-10, "-0.00000000015"],
    [1e21, "1000000000000000000000"],
    [1.2345e25, "12345000000000000000000000"],
    [123456789012, "123456789012"],
    [5e-324, "0." + "0".repeat(323) + "5"],
    [1.7976931348623157e308, "17976931348623157" + "0".repeat(292)],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
  ])("%s → %s", (v, text) => {
    expect(formatPromFloat(v)).toBe(text);
    if (Number.isFinite(v)) expect(Number(formatPromFloat(v))).toBe(v);
  });
});
