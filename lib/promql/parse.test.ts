import { describe, expect, it } from "vitest";
import type { Expr } from "./ast";
import { FUNCTIONS } from "./functions";
import { exprType, parseDuration, parseExpr, parseMetricSelector, PromQLParseError } from "./parse";
import { INVALID_QUERIES, VALID_QUERIES } from "./parse-cases";
import { formatExpr, prettyExpr } from "./print";

// The tables in ./parse-cases.ts are what Prometheus 2.42 answered for each query; the
// cases here spell out the trees behind some of them.

/** The tree with every node's structure explicit, to check precedence and binding. */
function tree(e: Expr): string {
  switch (e.kind) {
    case "binary":
      return `(${tree(e.lhs)} ${e.op} ${tree(e.rhs)})`;
    case "unary":
      return `(${e.op} ${tree(e.expr)})`;
    case "paren":
      return `[${tree(e.expr)}]`;
    case "call":
      return `${e.func}(${e.args.map(tree).join(", ")})`;
    case "aggregate":
      return `${e.op}(${e.param ? tree(e.param) + ", " : ""}${tree(e.expr)})`;
    case "subquery":
      return `sq(${tree(e.expr)})`;
    default:
      return formatExpr(e);
  }
}

function parseError(query: string): PromQLParseError {
  try {
    parseExpr(query);
  } catch (err) {
    if (err instanceof PromQLParseError) return err;
    throw err;
  }
  throw new Error(`parsed without error: ${query}`);
}

describe("parseExpr accepts what Prometheus accepts and prints it the same", () => {
  it.each(VALID_QUERIES)("%j", (query, printed) => {
    const e = parseExpr(query);
    expect(prettyExpr(e)).toBe(printed);
    // Prettify leaves a query of up to 100 bytes on one line, as String() prints it.
    if (!printed.includes("\n")) expect(formatExpr(e)).toBe(printed);
  });
});

describe("parseExpr refuses what Prometheus refuses, with its message", () => {
  it.each(INVALID_QUERIES)("%j", (query, message) => {
    expect(parseError(query).message).toBe(message);
  });
});

describe("precedence and binding", () => {
  it.each([
    ["1 + 2 * 3", "(1 + (2 * 3))"],
    ["(1 + 2) * 3", "([(1 + 2)] * 3)"],
    ["2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"],
    ["1 - 2 - 3", "((1 - 2) - 3)"],
    ["a or b and c", "(a or (b and c))"],
    ["a and b or c unless d", "((a and b) or (c unless d))"],
    ["a > b + c", "(a > (b + c))"],
    ["a == b != c", "((a == b) != c)"],
    ["a * b atan2 c % d / e", "((((a * b) atan2 c) % d) / e)"],
    ["-2 ^ 2", "(- (2 ^ 2))"],
    ["-a * b", "((- a) * b)"],
    ["-a ^ b * c", "((- (a ^ b)) * c)"],
    ["2 ^ -3 ^ 4", "(2 ^ (- (3 ^ 4)))"],
    ["a ^ -b * c", "((a ^ (- b)) * c)"],
    ["- -a", "(- (- a))"],
    ["a + b offset 5m", "(a + b offset 5m)"],
    ["-a offset 5m", "(- a offset 5m)"],
    ["sum(a) by (x) + b", "(sum(a) + b)"],
    ["rate(a[5m])[10m:1m]", "sq(rate(a[5m]))"],
  ])("%s is %s", (query, expected) => {
    expect(tree(parseExpr(query))).toBe(expected);
  });
});

describe("syntax tree", () => {
  it("folds a sign into a number literal, keeping the sign's position", () => {
    expect(parseExpr("- 1")).toEqual({ kind: "number", value: -1, pos: { start: 0, end: 3 } });
    expect(parseExpr("- -1")).toEqual({ kind: "number", value: 1, pos: { start: 0, end: 4 } });
    expect(parseExpr("-(1)").kind).toBe("unary");
  });

  it("does not fold constant arithmetic", () => {
    expect(parseExpr("1 + 2")).toMatchObject({
      kind: "binary",
      op: "+",
      lhs: { value: 1 },
      rhs: { value: 2 },
    });
  });

  it("puts the metric name last among the matchers, as __name__", () => {
    expect(parseExpr('foo{a="b", c!~"d"}')).toEqual({
      kind: "vectorSelector",
      name: "foo",
      matchers: [
        { name: "a", op: "=", value: "b" },
        { name: "c", op: "!~", value: "d" },
        { name: "__name__", op: "=", value: "foo" },
      ],
      offsetMs: 0,
      at: undefined,
      pos: { start: 0, end: 18 },
    });
  });

  it("keeps offset and @ of a range selector on its vector selector", () => {
    const e = parseExpr("foo[5m] offset -1h @ 1.5");
    expect(e).toMatchObject({
      kind: "matrixSelector",
      rangeMs: 300_000,
      vector: { offsetMs: -3_600_000, at: 1500 },
      pos: { start: 0, end: 24 },
    });
  });

  it("reads @ start(), @ end() and rounds @ seconds to milliseconds half away from zero", () => {
    expect(parseExpr("foo @ start()")).toMatchObject({ at: "start" });
    expect(parseExpr("foo @ end()")).toMatchObject({ at: "end" });
    expect(parseExpr("foo @ -0.0025")).toMatchObject({ at: -3 });
    expect(parseExpr("foo @ 0.0025")).toMatchObject({ at: 3 });
  });

  it("leaves a subquery's step undefined when omitted", () => {
    expect(parseExpr("foo[5m:]")).toMatchObject({
      kind: "subquery",
      rangeMs: 300_000,
      stepMs: undefined,
    });
    expect(parseExpr("foo[5m:30s] offset 1m")).toMatchObject({ stepMs: 30_000, offsetMs: 60_000 });
  });

  it("sets vector matching only between vectors; set operators are many-to-many", () => {
    expect(parseExpr("a + b")).toMatchObject({
      matching: { card: "one-to-one", on: false, labels: [], include: [] },
    });
    expect(parseExpr("a and on(x) b")).toMatchObject({
      matching: { card: "many-to-many", on: true, labels: ["x"], include: [] },
    });
    expect(parseExpr("a / ignoring(x, y) group_right(z) b")).toMatchObject({
      matching: { card: "one-to-many", on: false, labels: ["x", "y"], include: ["z"] },
    });
    expect(parseExpr("a + 1")).toMatchObject({ matching: undefined });
    expect(parseExpr("1 > bool 2")).toMatchObject({ returnBool: true, matching: undefined });
  });

  it("reads aggregation grouping before or after the argument", () => {
    for (const q of ["sum by (job) (x)", "sum(x) by (job)"]) {
      expect(parseExpr(q)).toMatchObject({
        kind: "aggregate",
        op: "sum",
        grouping: ["job"],
        without: false,
      });
    }
    expect(parseExpr("topk without (a) (3, x)")).toMatchObject({
      op: "topk",
      param: { kind: "number", value: 3 },
      expr: { kind: "vectorSelector", name: "x" },
      without: true,
    });
  });

  it("unquotes Go escapes; raw strings keep backslashes", () => {
    expect(parseExpr('"a\\tb\\u00e9\\x41\\101\\\\"')).toMatchObject({ value: "a\tbéAA\\" });
    expect(parseExpr("`a\\tb`")).toMatchObject({ value: "a\\tb" });
    expect(parseExpr('"\\xc3\\xa9"')).toMatchObject({ value: "é" });
  });

  it("reads escaped bytes that are not UTF-8 as U+FFFD, where Prometheus keeps the bytes", () => {
    // A JavaScript string cannot hold them; Prometheus would print foo{a="\xff"}.
    expect(parseExpr('foo{a="\\xff"}')).toMatchObject({ matchers: [{ value: "\uFFFD" }, {}] });
  });

  it("types expressions", () => {
    expect(exprType(parseExpr("1 + 1"))).toBe("scalar");
    expect(exprType(parseExpr("foo + 1"))).toBe("vector");
    expect(exprType(parseExpr("foo[1m]"))).toBe("matrix");
    expect(exprType(parseExpr("foo[1m:]"))).toBe("matrix");
    expect(exprType(parseExpr('"x"'))).toBe("string");
    expect(exprType(parseExpr("scalar(foo)"))).toBe("scalar");
    expect(exprType(parseExpr("-(time())"))).toBe("scalar");
  });

  it("gives errors character offsets", () => {
    expect(parseError("sum(foo) + rate(bar)").pos).toEqual({ start: 16, end: 19 });
    expect(parseError("foo{a=~'('}").pos).toEqual({ start: 4, end: 10 });
    expect(parseError("foo +").pos).toEqual({ start: 5, end: 5 });
  });
});

describe("nesting", () => {
  it("accepts 500 levels and refuses more, as a parse error rather than a stack overflow", () => {
    expect(parseExpr("(".repeat(499) + "1" + ")".repeat(499)).kind).toBe("paren");
    expect(parseError("(".repeat(500) + "1" + ")".repeat(500)).message).toBe(
      "1:501: parse error: expression nests too deeply: more than 500 levels",
    );
    // A long chain of left-associative operators is deep without any parenthesis.
    expect(parseExpr(Array(500).fill("a").join(" + ")).kind).toBe("binary");
    expect(parseError(Array(501).fill("a").join(" + ")).message).toBe(
      "1:1: parse error: expression nests too deeply: more than 500 levels",
    );
    expect(parseError(Array(20_000).fill("a").join(" ^ ")).detail).toBe(
      "expression nests too deeply: more than 500 levels",
    );
  });
});

describe("parseDuration", () => {
  it.each([
    ["1h30m", 5_400_000],
    ["5m", 300_000],
    ["1y", 31_536_000_000],
    ["2w", 1_209_600_000],
    ["100ms", 100],
    ["1d2h3m4s5ms", 93_784_005],
    ["0", 0],
    ["0s", 0],
  ])("%s is %d ms", (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each([
    ["", "empty duration string"],
    ["1.5h", 'not a valid duration string: "1.5h"'],
    ["1s1h", 'not a valid duration string: "1s1h"'],
    ["5", 'not a valid duration string: "5"'],
    ["-5m", 'not a valid duration string: "-5m"'],
    ["293y", "duration out of range"],
  ])("refuses %j", (s, message) => {
    expect(() => parseDuration(s)).toThrow(message);
  });
});

describe("parseMetricSelector", () => {
  it("returns the matchers of a bare selector, the name last", () => {
    expect(parseMetricSelector('up{job="a"}')).toEqual([
      { name: "job", op: "=", value: "a" },
      { name: "__name__", op: "=", value: "up" },
    ]);
    expect(parseMetricSelector('{__name__=~"x.*"}')).toEqual([
      { name: "__name__", op: "=~", value: "x.*" },
    ]);
    expect(parseMetricSelector("sum")).toEqual([{ name: "__name__", op: "=", value: "sum" }]);
  });

  it("refuses anything but a selector", () => {
    expect(() => parseMetricSelector("rate(x[5m])")).toThrow('1:5: parse error: unexpected "("');
    expect(() => parseMetricSelector("up[5m]")).toThrow('1:3: parse error: unexpected "["');
    expect(() => parseMetricSelector("1")).toThrow('1:1: parse error: unexpected number "1"');
  });
});

describe("FUNCTIONS", () => {
  it("has the 70 functions of Prometheus 2.42 and none of later versions", () => {
    expect(FUNCTIONS.size).toBe(70);
    expect(FUNCTIONS.get("label_join")).toEqual({
      name: "label_join",
      argTypes: ["vector", "string", "string", "string"],
      variadic: -1,
      returnType: "vector",
    });
    expect(FUNCTIONS.has("sort_by_label")).toBe(false);
  });
});
