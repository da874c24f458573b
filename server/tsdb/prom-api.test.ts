import { expect, it } from "vitest";
import { parseTime } from "./prom-api";

const parsed = (cases: [string, number | undefined][]) =>
  cases.map(([text]) => [text, parseTime(text)]);

it("reads Unix seconds as Prometheus's parseTime does, to the millisecond", () => {
  const cases: [string, number][] = [
    ["1700000000", 1_700_000_000_000],
    ["1700000000.123", 1_700_000_000_123],
    ["1e3", 1_000_000],
    [".5", 500],
    ["5.", 5000],
    ["-1.5", -1500],
    // Go rounds the fraction alone, halves away from zero.
    ["-1.0015", -1002],
    ["1699999200.0005", 1_699_999_200_000],
    ["1699999200.0006", 1_699_999_200_001],
    ["1699999199.9995", 1_699_999_200_000],
  ];
  expect(parsed(cases)).toEqual(cases);
});

it("reads RFC 3339 strictly: real dates, offsets, nine decimals at most, truncated", () => {
  const cases: [string, number][] = [
    ["2023-11-14T22:00:00Z", 1_699_999_200_000],
    ["2023-11-14T23:30:00+01:30", 1_699_999_200_000],
    ["2023-11-14T22:00:00.999999999Z", 1_699_999_200_999],
    ["2023-11-14T22:00:00,25Z", 1_699_999_200_250],
    ["2024-02-29T00:00:00Z", 1_709_164_800_000],
    ["2000-02-29T00:00:00Z", 951_782_400_000],
    ["0000-01-01T00:00:00Z", -62_167_219_200_000],
    ["1969-12-31T23:59:59.5Z", -500],
  ];
  expect(parsed(cases)).toEqual(cases);
  const refused = [
    "2023-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2023-04-31T00:00:00Z",
    "2023-13-01T00:00:00Z",
    "2023-11-14T24:00:00Z",
    "2023-11-14T22:60:00Z",
    "2023-11-14T22:00:60Z",
    "2023-11-14T22:00:00.Z",
    "2023-11-14T22:00:00.1234567891Z",
    "2023-11-14t22:00:00z",
    "2023-11-14 22:00:00Z",
    "2023-11-14T22:00Z",
    "2023-11-14T22:00:00",
    "0x10",
    "NaN",
    "Inf",
    "yesterday",
  ].map((text): [string, undefined] => [text, undefined]);
  expect(parsed(refused)).toEqual(refused);
});

it("reads the bounds Prometheus's clients send for an open range as open", () => {
  const cases: [string, number][] = [
    ["-292273086-05-16T16:47:06Z", -Infinity],
    ["292277025-08-18T07:12:54.999999999Z", Infinity],
  ];
  expect(parsed(cases)).toEqual(cases);
});
