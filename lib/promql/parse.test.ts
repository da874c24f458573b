import { describe, expect, it } from "vitest";
import type { Expr } from "./ast";
import { FUNCTIONS } from "./functions";
import { exprType, parseDuration, parseExpr, parseMetricSelector, PromQLParseError } from "./parse";
import { formatExpr } from "./print";

// Every expected text below is what Prometheus 2.42 answered for the same query
// (/api/v1/format_query), so these tables are the reference's behaviour, not ours.

// [query, Prometheus's printing of the parsed query]
const VALID: [string, string][] = [
  ["sum", "sum"],
  ["sum + 1", "sum + 1"],
  ["by", "by"],
  ["and", "and"],
  ["foo and and", "foo and and"],
  ["offset offset 5m", "offset offset 5m"],
  ["start", "start"],
  ["foo @ 5", "foo @ 5.000"],
  ["foo[5m x]", "foo[5m:]"],
  ["-2^2", "-2 ^ 2"],
  ["1 + 2", "1 + 2"],
  ["- 1", "-1"],
  ["-(1)", "-(1)"],
  ['foo{job=~".*"}', 'foo{job=~".*"}'],
  ["foo @ 5 offset 5m", "foo @ 5.000 offset 5m"],
  ["foo offset 5m @ 5", "foo @ 5.000 offset 5m"],
  ["017", "15"],
  ['{__name__="bar"}', '{__name__="bar"}'],
  ["foo * on(a) group_left bar", "foo * on (a) group_left () bar"],
  ["foo * on(a) group_left(b) bar", "foo * on (a) group_left (b) bar"],
  ["foo @ start() [5m]", "foo[5m] @ start()"],
  ['label_join(foo, "a", ",")', 'label_join(foo, "a", ",")'],
  ["year()", "year()"],
  ["1 == bool 1", "1 == bool 1"],
  ["foo == bool 1", "foo == bool 1"],
  ["1 + on() foo", "1 + foo"],
  ['"a"', '"a"'],
  ["quantile(0.5, foo)", "quantile(0.5, foo)"],
  ["foo offset -5m", "foo offset -5m"],
  ["foo offset - 5m", "foo offset -5m"],
  ["foo @ 1.5", "foo @ 1.500"],
  ["foo @ -2.5", "foo @ -2.500"],
  ["foo @ end()", "foo @ end()"],
  ["foo[5m] offset 1m @ 3", "foo[5m] @ 3.000 offset 1m"],
  ["rate(foo[5m])[5m:1m] offset 5m", "rate(foo[5m])[5m:1m] offset 5m"],
  ["foo[5m:]", "foo[5m:]"],
  ["foo[5m:1m] @ start()", "foo[5m:1m] @ start()"],
  ["x{}", "x"],
  ['{a!=""}', '{a!=""}'],
  ['{a=~".+"}', '{a=~".+"}'],
  ['foo{a="b",}', 'foo{a="b"}'],
  ["sum by (a,) (x)", "sum by (a) (x)"],
  ["sum by () (x)", "sum(x)"],
  ["sum without () (x)", "sum without () (x)"],
  ["nan", "NaN"],
  ["Inf", "+Inf"],
  ["-Inf", "-Inf"],
  ["0x1f", "31"],
  ["1e3", "1000"],
  [".5", "0.5"],
  ["5.", "5"],
  ["1e-5", "1e-05"],
  ["123456789", "1.23456789e+08"],
  ["0.0001", "0.0001"],
  ["foo # c", "foo"],
  ["1 + 2 * 3", "1 + 2 * 3"],
  ["(1 + 2) * 3", "(1 + 2) * 3"],
  ["2 ^ 3 ^ 2", "2 ^ 3 ^ 2"],
  ["a or b and c", "a or b and c"],
  ["a + b offset 5m", "a + b offset 5m"],
  ["a - -b", "a - -b"],
  ["- -1", "1"],
  ["+1", "1"],
  ["+foo", "+foo"],
  ["-foo ^ 2", "-foo ^ 2"],
  ["foo atan2 bar", "foo atan2 bar"],
  ["1 atan2 2", "1 atan2 2"],
  ["foo * ignoring() group_left(x) bar", "foo * bar"],
  ["sum(foo) by (job)", "sum by (job) (foo)"],
  ["sum by (job) (foo)", "sum by (job) (foo)"],
  ['count_values("v", foo)', 'count_values("v", foo)'],
  ["bottomk(3, foo) by (a)", "bottomk by (a) (3, foo)"],
  [
    "histogram_quantile(0.9, rate(foo_bucket[5m]))",
    "histogram_quantile(0.9, rate(foo_bucket[5m]))",
  ],
  ['absent(nonexistent{job="x"})', 'absent(nonexistent{job="x"})'],
  ["time()", "time()"],
  ["pi()", "pi()"],
  ["vector(1)", "vector(1)"],
  ["scalar(foo)", "scalar(foo)"],
  ['foo{a="é"}', 'foo{a="é"}'],
  ['"\\u00e9"', '"é"'],
  ["'single'", '"single"'],
  ["`raw\\n`", '"raw\\\\n"'],
  ['"tab\\t"', '"tab\\t"'],
  ['foo{a="\\""}', 'foo{a="\\""}'],
  ["foo{a='\\''}", 'foo{a="\'"}'],
  ['foo{a="\\x41"}', 'foo{a="A"}'],
  ['foo{a="\\101"}', 'foo{a="A"}'],
  ["foo offset 1h30m", "foo offset 1h30m"],
  ["foo offset 90m", "foo offset 1h30m"],
  ["foo[1y]", "foo[1y]"],
  ["foo[104w]", "foo[104w]"],
  ["foo[292y]", "foo[292y]"],
];

// [query, Prometheus's error message]
const INVALID: [string, string][] = [
  ['{job=~".*"}', "1:1: parse error: vector selector must contain at least one non-empty matcher"],
  ["foo offset 5m offset 5m", "1:1: parse error: offset may not be set multiple times"],
  ["x @", "1:4: parse error: unexpected end of input in @, expected timestamp"],
  ["rate(foo", "1:9: parse error: unclosed left parenthesis"],
  [
    "sum by (foo:bar) (x)",
    '1:9: parse error: unexpected metric identifier "foo:bar" in grouping opts, expected label',
  ],
  [
    "sum by (inf) (x)",
    '1:9: parse error: unexpected number "inf" in grouping opts, expected label',
  ],
  ['"abcdefghijklmnop" +', "1:21: parse error: unexpected end of input"],
  ["foo @ start", "1:12: parse error: unexpected end of input in @, expected timestamp"],
  [
    "1e400",
    '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range',
  ],
  [
    "0x",
    '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax',
  ],
  ["foo[1.5h]", '1:5: parse error: not a valid duration string: "1.5h"'],
  ['foo{a=~"("}', "1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`"],
  ["a)|(b", "1:3: parse error: unexpected right parenthesis ')'"],
  ['foo{a=~"a)|(b"}', "1:5: parse error: error parsing regexp: unexpected ): `a)|(b`"],
  ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ["foo:bar(x)", '1:8: parse error: unexpected "("'],
  ["foo[]", "1:5: parse error: missing unit character in duration"],
  ["foo[x]", '1:5: parse error: bad duration syntax: ""'],
  [
    "foo[5m:1]",
    '1:8: parse error: unexpected number "1" in subquery selector, expected duration or "]"',
  ],
  ["foo @ @", '1:7: parse error: unexpected "<Item 57385>" <op:@> in @, expected timestamp'],
  ["@", '1:1: parse error: unexpected "<Item 57385>" <op:@>'],
  ['foo{a="\\z"}', "1:7: parse error: unknown escape sequence U+007A 'z'"],
  ["foo !", "1:5: parse error: unexpected character after '!': '�'"],
  ["foo{a!}", "1:6: parse error: unexpected character after '!' inside braces: '}'"],
  ['"a€"+', "1:8: parse error: unexpected end of input"],
  ["€", "1:1: parse error: unexpected character: '€'"],
  ["sum(foo +)", '1:10: parse error: unexpected ")" in aggregation'],
  ["rate(foo +)", '1:11: parse error: unexpected ")"'],
  ["sum(rate(foo bar))", '1:14: parse error: unexpected identifier "bar" in aggregation'],
  ["rate(foo bar)", '1:10: parse error: unexpected identifier "bar"'],
  ["foo * on(a) group_left (b)", "1:27: parse error: unexpected end of input"],
  ["sum without(a)", "1:15: parse error: unexpected end of input in aggregation"],
  ["sum(x) by (a) by (b)", "1:15: parse error: unexpected <by>"],
  ["foo[5m] @ 5 @ 6", "1:1: parse error: @ <timestamp> may not be set multiple times"],
  [
    "1 offset 5m",
    "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
  ],
  [
    "-foo[5m]",
    '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
  ],
  ["1[5m:1m]", "1:1: parse error: subquery is only allowed on instant vector, got scalar instead"],
  ["(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"],
  ["foo offset 5m [5m]", "1:15: parse error: no offset modifiers allowed before range"],
  ["foo @ 5 [5m]", "1:9: parse error: no @ modifiers allowed before range"],
  [
    "topk(x)",
    "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1",
  ],
  ["sum()", "1:1: parse error: no arguments for aggregate expression provided"],
  ["rate()", '1:1: parse error: expected 1 argument(s) in call to "rate", got 0'],
  [
    "rate(foo)",
    '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
  ],
  ["rate(foo[5m], 1)", '1:1: parse error: expected 1 argument(s) in call to "rate", got 2'],
  [
    "round(foo, 1, 2)",
    '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3',
  ],
  ["1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"],
  ["foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"],
  ["1 and foo", '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  ["foo and on(a) group_left bar", '1:1: parse error: no grouping allowed for "and" operation'],
  ["1 + on(a) foo", "1:1: parse error: vector matching only allowed between instant vectors"],
  [
    "foo + on(a) group_left(a) bar",
    '1:5: parse error: label "a" must not occur in ON and GROUP clause at once',
  ],
  [
    '"a" + 1',
    "1:1: parse error: binary expression must contain only scalar and instant vector types",
  ],
  [
    '-"a"',
    '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"',
  ],
  [
    "count_values(1, foo)",
    "1:14: parse error: expected type string in aggregation parameter, got scalar",
  ],
  ['topk("a", foo)', "1:6: parse error: expected type scalar in aggregation parameter, got string"],
  [
    'sum("a")',
    "1:5: parse error: expected type instant vector in aggregation expression, got string",
  ],
  ["foo offset 0s", "1:12: parse error: duration must be greater than 0"],
  ["foo @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"],
  [
    "foo @ -1e300",
    "1:1: parse error: timestamp out of bounds for @ modifier: -1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000",
  ],
  ["{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
  ['{a=""}', "1:1: parse error: vector selector must contain at least one non-empty matcher"],
  [
    'foo{a="b",,}',
    '1:11: parse error: unexpected "," in label matching, expected identifier or "}"',
  ],
  [
    "foo{a}",
    '1:6: parse error: unexpected "}" in label matching, expected label matching operator',
  ],
  [
    'foo{"a"="b"}',
    '1:5: parse error: unexpected string "\\"a\\"" in label matching, expected identifier or "}"',
  ],
  [
    'foo{a="b" c="d"}',
    '1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}"',
  ],
  ["foo{a=b}", '1:7: parse error: unexpected identifier "b" in label matching, expected string'],
  [
    "sum by (a b) (x)",
    '1:11: parse error: unexpected identifier "b" in grouping opts, expected "," or ")"',
  ],
  ["sum by a (x)", '1:8: parse error: unexpected identifier "a" in grouping opts, expected "("'],
  ["rate(foo,)", "1:9: parse error: trailing commas not allowed in function call args"],
  [
    "1e",
    '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax',
  ],
  ["  ", "1:1: parse error: no expression found in input"],
  ["", "1:1: parse error: no expression found in input"],
  ["# only", "1:1: parse error: no expression found in input"],
  ["foo bar", '1:5: parse error: unexpected identifier "bar"'],
  ["foo )", "1:6: parse error: unexpected right parenthesis ')'"],
  ["(foo", "1:5: parse error: unclosed left parenthesis"],
  ["foo}", "1:4: parse error: unexpected character: '}'"],
  ["foo]", "1:4: parse error: unexpected right bracket ']'"],
  ["atan2", "1:1: parse error: unexpected <op:atan2>"],
  ['sort_by_label(foo, "a")', '1:1: parse error: unknown function with name "sort_by_label"'],
  ['foo{a="\\400"}', "1:7: parse error: escape sequence is an invalid Unicode code point"],
  ['"\\xZZ"', "1:1: parse error: illegal character U+005A 'Z' in escape sequence"],
  ['"abc', "1:1: parse error: unterminated quoted string"],
  ["`abc", "1:1: parse error: unterminated raw string"],
  ["foo[5m", "1:7: parse error: unclosed left bracket"],
  ["foo[5m:1m:2m]", "1:10: parse error: unexpected colon ':'"],
  [
    "foo[5m 1m]",
    '1:8: parse error: unexpected duration "1m" in subquery or range, expected ":" or "]"',
  ],
  ["foo[5m] [5m]", "1:9: parse error: ranges only allowed for vector selectors"],
  [
    "foo[5m][5m:1m]",
    "1:1: parse error: subquery is only allowed on instant vector, got matrix instead",
  ],
  ["1h", '1:1: parse error: unexpected duration "1h"'],
  ["foo[1s1h]", '1:5: parse error: not a valid duration string: "1s1h"'],
  ["foo[1y2y]", '1:5: parse error: bad duration syntax: "1y2"'],
  ["foo[5mss]", '1:5: parse error: bad duration syntax: "5mss"'],
  ["foo[1e5m]", '1:5: parse error: not a valid duration string: "1e5m"'],
  ["foo[0x5m]", '1:5: parse error: not a valid duration string: "0x5m"'],
  ["foo offset 1.5h", '1:12: parse error: not a valid duration string: "1.5h"'],
  ["foo[99999999999999999999y]", "1:5: parse error: duration out of range"],
  ["foo[293y]", "1:5: parse error: duration out of range"],
];

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
  it.each(VALID)("%s", (query, printed) => {
    expect(formatExpr(parseExpr(query))).toBe(printed);
  });
});

describe("parseExpr refuses what Prometheus refuses, with its message", () => {
  it.each(INVALID)("%s", (query, message) => {
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
