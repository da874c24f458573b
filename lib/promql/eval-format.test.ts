import { expect, it } from "vitest";
import { formatGoFloat, formatGoFloatG } from "./eval-format";

it("writes label values as Go's FormatFloat(v, 'f', -1): shortest digits, no exponent", () => {
  expect(formatGoFloat(1e21)).toBe("1000000000000000000000");
  expect(formatGoFloat(1.5e-7)).toBe("0.00000015");
  expect(formatGoFloat(-2.5e-10)).toBe("-0.00000000025");
  expect(formatGoFloat(0.1)).toBe("0.1");
  expect(formatGoFloat(-0)).toBe("-0");
  expect(formatGoFloat(NaN)).toBe("NaN");
  expect(formatGoFloat(-Infinity)).toBe("-Inf");
});

it("writes numbers in messages as Go's %v: an exponent from 1e6 and below 1e-4", () => {
  expect(formatGoFloatG(1e100)).toBe("1e+100");
  expect(formatGoFloatG(1234567)).toBe("1.234567e+06");
  expect(formatGoFloatG(999999)).toBe("999999");
  expect(formatGoFloatG(0.0001)).toBe("0.0001");
  expect(formatGoFloatG(0.00001)).toBe("1e-05");
});
