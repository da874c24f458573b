import { expect, it } from "vitest";
import type { LabelMatcher } from "./ast";
import { MemoryQuerier } from "./memory-querier";

const q = new MemoryQuerier([
  { labels: { __name__: "up", job: "api", env: "prod" }, t: [0, 10, 20, 30], v: [1, 1, 0, 1] },
  { labels: { __name__: "up", job: "apiserver" }, t: [5, 15], v: [1, 1] },
  { labels: { __name__: "up", job: "db" }, t: [100], v: [1] },
]);
const all = { start: 0, end: 1000, step: 0, func: undefined, range: 0 };
const jobs = (matchers: LabelMatcher[], hints = all) =>
  q.select(matchers, hints).map((s) => s.labels.job);

it("anchors regular expressions at both ends", () => {
  expect(jobs([{ name: "job", op: "=~", value: "api" }])).toEqual(["api"]);
  expect(jobs([{ name: "job", op: "=~", value: "api.*" }])).toEqual(["api", "apiserver"]);
  expect(jobs([{ name: "job", op: "!~", value: "api" }])).toEqual(["apiserver", "db"]);
});

it("matches a missing label as the empty string", () => {
  expect(jobs([{ name: "env", op: "=", value: "" }])).toEqual(["apiserver", "db"]);
  expect(jobs([{ name: "env", op: "=~", value: "" }])).toEqual(["apiserver", "db"]);
  expect(jobs([{ name: "env", op: "!~", value: "" }])).toEqual(["api"]);
});

it("returns the samples in [start, end] and no series without one", () => {
  const r = q.select([{ name: "__name__", op: "=", value: "up" }], { ...all, start: 10, end: 20 });
  expect(r.map((s) => [s.labels.job, Array.from(s.t), Array.from(s.v)])).toEqual([
    ["api", [10, 20], [1, 0]],
    ["apiserver", [15], [1]],
  ]);
});

it("refuses an invalid regular expression as bad data", () => {
  expect(() => jobs([{ name: "job", op: "=~", value: "(" }])).toThrow(
    expect.objectContaining({ errorType: "bad_data" }),
  );
});
