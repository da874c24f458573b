import { expect, it } from "vitest";
import type { LabelMatcher } from "./ast";
import { matcherTest } from "./matcher";
import { MemoryQuerier } from "./memory-querier";

const values = ["", "api", "apiserver", "db", "API"];
const passing = (m: LabelMatcher) => values.filter(matcherTest(m));

it("tests equality and inequality exactly", () => {
  expect(passing({ name: "job", op: "=", value: "api" })).toEqual(["api"]);
  expect(passing({ name: "job", op: "!=", value: "api" })).toEqual(["", "apiserver", "db", "API"]);
  expect(passing({ name: "job", op: "=", value: "" })).toEqual([""]);
});

it("anchors regular expressions at both ends, and !~ is their complement", () => {
  expect(passing({ name: "job", op: "=~", value: "api" })).toEqual(["api"]);
  expect(passing({ name: "job", op: "=~", value: "api.*|" })).toEqual(["", "api", "apiserver"]);
  expect(passing({ name: "job", op: "=~", value: "(?i)api" })).toEqual(["api", "API"]);
  expect(passing({ name: "job", op: "!~", value: "api.*" })).toEqual(["", "db", "API"]);
  // An alternation stays inside the anchors: "a|db" is not "a" anywhere.
  expect(passing({ name: "job", op: "=~", value: "a|db" })).toEqual(["db"]);
});

it("refuses a regular expression RE2 refuses, naming it, as bad data", () => {
  const bad: LabelMatcher = { name: "job", op: "=~", value: "a)|(b" };
  expect(() => matcherTest(bad)).toThrow(
    expect.objectContaining({
      errorType: "bad_data",
      message: 'invalid regular expression "a)|(b": unexpected ): `a)|(b`',
    }),
  );
  // The in-memory querier refuses it with the same words.
  expect(() => new MemoryQuerier([]).select([bad], { start: 0, end: 1 } as never)).toThrow(
    'invalid regular expression "a)|(b": unexpected ): `a)|(b`',
  );
});
