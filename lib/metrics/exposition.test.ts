import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  Summary,
  type LabelValues,
  type OpenMetricsContentType,
  type RegistryContentType,
} from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ExpositionError,
  ExpositionLimitError,
  formatFromContentType,
  parseExposition,
  type ExpositionFormat,
  type ExpositionLimits,
  type ParsedSample,
} from "./exposition";

const PROMTOOL = "/usr/bin/promtool";
const PROMETHEUS = "/usr/bin/prometheus";
const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

const prom = (body: string, limits?: ExpositionLimits) =>
  parseExposition(body, "prometheus", limits);
const om = (body: string, limits?: ExpositionLimits) =>
  parseExposition(body, "openmetrics", limits);

/** The error a parse throws; fails the test if it throws none. */
function errorOf(parse: () => unknown): ExpositionError {
  try {
    parse();
  } catch (e) {
    if (e instanceof ExpositionError) return e;
    throw e;
  }
  throw new Error("expected the body to be rejected");
}

/** Samples as compact rows: name, labels, value, timestamp, family. */
function rows(samples: ParsedSample[]) {
  return samples.map((s) => [
    s.name,
    Object.fromEntries(s.labels),
    s.value,
    s.timestampMs,
    s.family,
  ]);
}

describe("the Prometheus text format", () => {
  it("reads HELP, TYPE and samples with labels, value and millisecond timestamp", () => {
    const r = prom(
      "# HELP http_requests_total The total number of HTTP requests.\n" +
        "# TYPE http_requests_total counter\n" +
        'http_requests_total{method="post",code="200"} 1027 1395066363000\n' +
        'http_requests_total{method="post",code="400"}    3 1395066363000\n',
    );
    expect(r.format).toBe("prometheus");
    expect(r.samples).toEqual([
      {
        name: "http_requests_total",
        labels: [
          ["method", "post"],
          ["code", "200"],
        ],
        value: 1027,
        timestampMs: 1395066363000,
        family: "http_requests_total",
      },
      {
        name: "http_requests_total",
        labels: [
          ["method", "post"],
          ["code", "400"],
        ],
        value: 3,
        timestampMs: 1395066363000,
        family: "http_requests_total",
      },
    ]);
    expect([...r.families.values()]).toEqual([
      {
        name: "http_requests_total",
        type: "counter",
        help: "The total number of HTTP requests.",
      },
    ]);
  });

  it("keeps labels in the order written and leaves __name__ out", () => {
    const [s] = prom('x{z="1",a="2",m="3"} 1\n').samples;
    expect(s!.labels).toEqual([
      ["z", "1"],
      ["a", "2"],
      ["m", "3"],
    ]);
  });

  it('undoes the label value escapes \\\\, \\" and \\n', () => {
    const [s] = prom(
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9\n',
    ).samples;
    expect(s!.labels).toEqual([
      ["path", "C:\\DIR\\FILE.TXT"],
      ["error", 'Cannot find file:\n"FILE.TXT"'],
    ]);
    expect(s!.value).toBe(1458255915);
  });

  it("keeps an unknown escape such as \\t as the two characters written (as Prometheus does)", () => {
    const [s] = prom('x{a="tab\\there",b="\\q\\\\"} 1\n').samples;
    expect(s!.labels).toEqual([
      ["a", "tab\\there"],
      ["b", "\\q\\"],
    ]);
  });

  it("reads unicode and empty label values as written (Prometheus drops empty ones on ingest)", () => {
    const [s] = prom('x{city="Zürich",emoji="🦊 ✓",none=""} 1\n').samples;
    expect(s!.labels).toEqual([
      ["city", "Zürich"],
      ["emoji", "🦊 ✓"],
      ["none", ""],
    ]);
  });

  it("reads NaN, +Inf, -Inf and Inf values", () => {
    const r = prom("a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\nf -inf\ng infinity\nh +INFINITY\n");
    expect(r.samples.map((s) => s.value)).toEqual([
      NaN,
      Infinity,
      -Infinity,
      Infinity,
      NaN,
      -Infinity,
      Infinity,
      Infinity,
    ]);
  });

  it("reads the decimal forms Go's strconv.ParseFloat accepts", () => {
    const r = prom(
      "a 1e3\nb .5\nc 5.\nd +1\ne 007\nf 1E-3\ng -0\nh 1.7976931348623157e308\ni 1e-400\nj 12345678901234567890\nk -12.5e+2\n",
    );
    expect(r.samples.map((s) => s.value)).toEqual([
      1000, 0.5, 5, 1, 7, 0.001, -0, 1.7976931348623157e308, 0, 12345678901234567000, -1250,
    ]);
    expect(Object.is(r.samples[6]!.value, -0)).toBe(true);
  });

  it.each([
    ["0x10", "a hex integer (Go wants a p exponent for hex floats)"],
    ["0x1p4", "a hex float (promparse refuses p and P)"],
    ["1_000", "underscores"],
    ["1e400", "an overflow to infinity (Go's ErrRange)"],
    ["+NaN", "a signed NaN"],
    ["infinit", "a prefix of infinity"],
    ["1,5", "a decimal comma"],
    ["1e", "an exponent without digits"],
    [".", "a lone dot"],
    ["--1", "two signs"],
    ["1.2.3", "two dots"],
  ])("rejects the value %s: %s", (value) => {
    expect(errorOf(() => prom(`x ${value}\n`)).message).toBe(
      `line 1: invalid value ${JSON.stringify(value)} for x`,
    );
  });

  it("reads `{}` as no labels, and allows one trailing comma", () => {
    expect(rows(prom('a{} 1\nb{c="d",} 2\nc{ } 3\n').samples)).toEqual([
      ["a", {}, 1, undefined, "a"],
      ["b", { c: "d" }, 2, undefined, "b"],
      ["c", {}, 3, undefined, "c"],
    ]);
  });

  it("allows blanks and tabs between all tokens, and none between `}` and the value", () => {
    expect(rows(prom('a { b = "c" ,\td="e" }\t1 \t 2 \na{b="c"}3\n').samples)).toEqual([
      ["a", { b: "c", d: "e" }, 1, 2, "a"],
      ["a", { b: "c" }, 3, undefined, "a"],
    ]);
  });

  it("accepts label pairs without a comma between them (promparse does; promtool does not)", () => {
    expect(prom('a{b="1" c="2"} 1\n').samples[0]!.labels).toEqual([
      ["b", "1"],
      ["c", "2"],
    ]);
  });

  it("reads a value that follows the name without a blank when it cannot be part of the name", () => {
    expect(rows(prom("a+1\nb-2\n").samples)).toEqual([
      ["a", {}, 1, undefined, "a"],
      ["b", {}, -2, undefined, "b"],
    ]);
  });

  it("accepts a raw line break inside a quoted label value (promlex does) and counts lines on", () => {
    expect(rows(prom('a{b="one\ntwo"} 1\nc 2\n').samples)).toEqual([
      ["a", { b: "one\ntwo" }, 1, undefined, "a"],
      ["c", {}, 2, undefined, "c"],
    ]);
    expect(errorOf(() => prom('a{b="one\ntwo"} 1\nc 2\nd{\n')).message).toBe(
      'line 4: the labels of d are not closed with "}"',
    );
  });

  it("ignores blank lines, comments, and `#HELP` without a blank (a comment to promparse)", () => {
    const r = prom("\n   \n# a comment\n#HELP a not help\n# HELPx no\n#\n# TYPE a gauge\na 1\n");
    expect(rows(r.samples)).toEqual([["a", {}, 1, undefined, "a"]]);
    expect(r.families.get("a")).toEqual({ name: "a", type: "gauge" });
  });

  it("reads a body of only comments as no samples, and an empty body likewise", () => {
    expect(prom("# just\n# comments\n").samples).toEqual([]);
    const empty = prom("");
    expect(empty.samples).toEqual([]);
    expect(empty.families.size).toBe(0);
  });

  it("accepts a body without a final line break (promparse appends one; promtool rejects it)", () => {
    expect(rows(prom("a 1 5").samples)).toEqual([["a", {}, 1, 5, "a"]]);
  });

  it('reads HELP text with its escapes \\\\ and \\n, keeping \\" and others as written', () => {
    const r = prom('# HELP a One\\\\two\\nthree \\"q\\" \\t.\n# HELP b\n# HELP c \n');
    expect(r.families.get("a")!.help).toBe('One\\two\nthree \\"q\\" \\t.');
    expect(r.families.get("b")!.help).toBe("");
    expect(r.families.get("c")!.help).toBe("");
  });

  it("drops only the first character after the name in HELP text, as promparse does", () => {
    expect(prom("# HELP a  two blanks\n").families.get("a")!.help).toBe(" two blanks");
    expect(prom("# HELP a\ttab\n").families.get("a")!.help).toBe("tab");
  });

  it("accepts TYPE untyped and a TYPE or HELP after the family's samples (the last one wins)", () => {
    const r = prom("a 1\n# TYPE a untyped\n# TYPE a gauge\n# HELP a first\n# HELP a last\n");
    expect(r.families.get("a")).toEqual({ name: "a", type: "gauge", help: "last" });
  });

  it.each([
    ["# TYPE a COUNTER\n", 'invalid metric type "COUNTER" for a'],
    ["# TYPE a\n", 'invalid metric type "" for a'],
    ["# TYPE a  counter\n", 'invalid metric type " counter" for a'],
    ["# TYPE a counter \n", 'invalid metric type "counter " for a'],
    ["# TYPE a info\n", 'invalid metric type "info" for a'],
  ])("rejects the TYPE line %j (promparse compares the type exactly)", (body, message) => {
    expect(errorOf(() => prom(body)).message).toBe(
      `line 1: ${message} (want counter, gauge, histogram, summary or untyped)`,
    );
  });

  it("reads timestamps as integer milliseconds, up to int64's largest", () => {
    expect(
      prom("a 1 0\nb 1 0001\nc 1 9223372036854775807\n").samples.map((s) => s.timestampMs),
    ).toEqual([0, 1, 9223372036854775807]);
  });

  it("does not normalise le and quantile values (Prometheus 2.42 ingests them as written)", () => {
    const r = prom(
      "# TYPE h histogram\n" +
        'h_bucket{le="1"} 1\nh_bucket{le="1.0"} 1\nh_bucket{le="NaN"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n' +
        "# TYPE s summary\n" +
        's{quantile="0.50"} 1\ns{quantile="-Inf"} 2\ns_sum 3\ns_count 4\n',
    );
    expect(rows(r.samples)).toEqual([
      ["h_bucket", { le: "1" }, 1, undefined, "h"],
      ["h_bucket", { le: "1.0" }, 1, undefined, "h"],
      ["h_bucket", { le: "NaN" }, 1, undefined, "h"],
      ["h_bucket", { le: "+Inf" }, 2, undefined, "h"],
      ["h_sum", {}, 3, undefined, "h"],
      ["h_count", {}, 2, undefined, "h"],
      ["s", { quantile: "0.50" }, 1, undefined, "s"],
      ["s", { quantile: "-Inf" }, 2, undefined, "s"],
      ["s_sum", {}, 3, undefined, "s"],
      ["s_count", {}, 4, undefined, "s"],
    ]);
  });

  it("reads a line of 200,000 characters", () => {
    const long = "v".repeat(200_000);
    const [s] = prom(`a{b="${long}"} 1\n`).samples;
    expect(s!.labels[0]![1]).toBe(long);
  });

  it("keeps a NUL byte inside a label value (Prometheus does)", () => {
    expect(prom('a{b="x\u0000y"} 1\n').samples[0]!.labels).toEqual([["b", "x\u0000y"]]);
  });
});

describe("malformed text-format bodies are rejected with the line and what is wrong", () => {
  it.each([
    ["missing value", "a 1\nb\n", "line 2: missing value for b"],
    ["missing value after labels", 'a{b="c"}\n', "line 1: missing value for a"],
    [
      "unterminated quote",
      'a 1\nb{path="/x} 1\n',
      'line 2: the value of label "path" on b is not terminated',
    ],
    [
      "a label name starting with a digit",
      'a{1b="c"} 1\n',
      'line 1: invalid label name "1b" on a: label names must match [a-zA-Z_][a-zA-Z0-9_]*',
    ],
    ["a decimal comma", "a 1,5\n", 'line 1: invalid value "1,5" for a'],
    ["garbage after the timestamp", "a 1 2 x\n", 'line 1: unexpected "x" after the timestamp of a'],
    ["two timestamps", "a 1 2 3\n", 'line 1: unexpected "3" after the timestamp of a'],
    ["garbage after the value", "a 1 x\n", 'line 1: unexpected "x" after the value of a'],
    ["a duplicate label", 'a{b="1",c="2",b="3"} 1\n', 'line 1: duplicate label "b" on a'],
    ["__name__ among the labels", 'a{__name__="b"} 1\n', 'line 1: duplicate label "__name__" on a'],
    ["a NUL byte in the value", "a 1\u00005\n", "line 1: NUL byte after the value of a"],
    [
      "a NUL byte starting a line (Prometheus 2.42 silently stops reading there)",
      "a 1\n\u0000b 2\n",
      'line 2: NUL byte where a line should start with a metric name or "#"',
    ],
    [
      "a line of only {",
      "{\n",
      'line 1: unexpected "{" where a line should start with a metric name or "#"',
    ],
    [
      "a byte order mark",
      "\ufeffa 1\n",
      "line 1: the body starts with a byte order mark (U+FEFF), which Prometheus rejects",
    ],
    [
      "CRLF line ends",
      "a 1\r\nb 2\r\n",
      'line 1: the line ends with "\\r\\n"; the exposition formats need "\\n" line ends',
    ],
    [
      "CRLF after a timestamp",
      "a 1 2\r\n",
      'line 1: the line ends with "\\r\\n"; the exposition formats need "\\n" line ends',
    ],
    [
      "CRLF after a TYPE",
      "# TYPE a gauge\r\n",
      'line 1: the line ends with "\\r\\n"; the exposition formats need "\\n" line ends',
    ],
    ["a negative timestamp", "a 1 -5\n", 'line 1: unexpected "-" after the value of a'],
    ["a fractional timestamp", "a 1 1.5\n", 'line 1: unexpected "." after the timestamp of a'],
    [
      "a timestamp beyond int64",
      "a 1 9223372036854775808\n",
      'line 1: timestamp "9223372036854775808" of a is out of the int64 range',
    ],
    [
      "an unquoted label value",
      "a{b=c} 1\n",
      'line 1: unexpected "c" where the quoted value of label "b" on a should be',
    ],
    [
      "a label without a value",
      "a{b} 1\n",
      'line 1: unexpected "}" after label name "b" on a (want "=")',
    ],
    ["a lone comma", "a{,} 1\n", 'line 1: unexpected "," where a label name of a should be'],
    [
      "two commas",
      'a{b="c",,d="e"} 1\n',
      'line 1: unexpected "," where a label name of a should be',
    ],
    ["an unclosed label set", 'a{b="c"\n', 'line 1: the labels of a are not closed with "}"'],
    [
      "a second label set",
      'a{b="c"}{d="e"} 1\n',
      'line 1: unexpected "{" where the value of a should be',
    ],
    [
      "a HELP with an invalid name",
      "# HELP 1a x\n",
      'line 1: expected a metric name after "# HELP", found "1"',
    ],
    [
      "a HELP with no name",
      "# HELP \n",
      'line 1: expected a metric name after "# HELP", found the end of the line',
    ],
    [
      "an OpenMetrics exemplar",
      'a_total 1 # {t="1"} 1\n',
      'line 1: unexpected "#" after the value of a_total',
    ],
    [
      "a backslash before a line break in a label value",
      'a{b="x\\\ny"} 1\n',
      'line 1: backslash before a line break in the value of label "b" on a',
    ],
  ])("%s", (_what, body, message) => {
    expect(errorOf(() => prom(body)).message).toBe(message);
  });

  it("gives the line number as a property too", () => {
    const e = errorOf(() => prom("a 1\n\n# c\nb{x=} 1\n"));
    expect(e.line).toBe(4);
    expect(e).toBeInstanceOf(ExpositionError);
    expect(e).not.toBeInstanceOf(ExpositionLimitError);
  });

  it("points at the label value that runs over a line break when a quote is missing", () => {
    const e = errorOf(() => prom('a{path="/x} 1\nb{c="d"} 2\n'));
    expect(e.message).toBe(
      'line 2: unexpected "\\"" after label name "d" on a (want "=") (a label value of a opened on line 1 runs over a line break: is a closing quote missing?)',
    );
    expect(e.line).toBe(2);
  });
});

describe("OpenMetrics 1.0", () => {
  it("reads a counter family with _total and _created, HELP, UNIT and # EOF", () => {
    const r = om(
      "# TYPE request_seconds counter\n" +
        "# UNIT request_seconds seconds\n" +
        '# HELP request_seconds Time spent \\"serving\\".\n' +
        'request_seconds_total{path="/"} 5.5\n' +
        'request_seconds_created{path="/"} 1700000000.5\n' +
        "# EOF\n",
    );
    expect(r.format).toBe("openmetrics");
    expect(rows(r.samples)).toEqual([
      ["request_seconds_total", { path: "/" }, 5.5, undefined, "request_seconds"],
      ["request_seconds_created", { path: "/" }, 1700000000.5, undefined, "request_seconds"],
    ]);
    expect([...r.families.values()]).toEqual([
      { name: "request_seconds", type: "counter", unit: "seconds", help: 'Time spent "serving".' },
    ]);
  });

  it("converts timestamps from seconds to milliseconds, truncating like Go's int64(ts*1000)", () => {
    const r = om("a 1 1520879607.789\nb 1 -1.5\nc 1 1e3\nd 1 0.0001\ne 1 -0.0001\n# EOF\n");
    expect(r.samples.map((s) => s.timestampMs)).toEqual([1520879607789, -1500, 1000000, 0, 0]);
    expect(Object.is(r.samples[4]!.timestampMs, 0)).toBe(true);
  });

  it("skips exemplars on _total and _bucket samples without reading them into value or timestamp", () => {
    const r = om(
      "# TYPE c counter\n" +
        'c_total 3 # {trace_id="abc"} 0.67\n' +
        'c_total{x="y"} 4 1700000000 # {trace_id="def",span="1"} 0.5 1700000001.5\n' +
        "# TYPE h histogram\n" +
        'h_bucket{le="+Inf"} 2 # {} 9\n' +
        "h_count 2\nh_sum 9\n# EOF",
    );
    expect(rows(r.samples)).toEqual([
      ["c_total", {}, 3, undefined, "c"],
      ["c_total", { x: "y" }, 4, 1700000000000, "c"],
      ["h_bucket", { le: "+Inf" }, 2, undefined, "h"],
      ["h_count", {}, 2, undefined, "h"],
      ["h_sum", {}, 9, undefined, "h"],
    ]);
  });

  it("reads gaugehistogram, stateset, info and unknown families", () => {
    const r = om(
      "# TYPE q gaugehistogram\n" +
        'q_bucket{le="+Inf"} 3\nq_gcount 3\nq_gsum 4\n' +
        "# TYPE st stateset\n" +
        'st{st="a"} 1\nst{st="b"} 0\n' +
        "# TYPE build info\n" +
        'build_info{version="1.2"} 1\n' +
        "# TYPE u unknown\n" +
        "u 7\n# EOF\n",
    );
    expect(rows(r.samples)).toEqual([
      ["q_bucket", { le: "+Inf" }, 3, undefined, "q"],
      ["q_gcount", {}, 3, undefined, "q"],
      ["q_gsum", {}, 4, undefined, "q"],
      ["st", { st: "a" }, 1, undefined, "st"],
      ["st", { st: "b" }, 0, undefined, "st"],
      ["build_info", { version: "1.2" }, 1, undefined, "build"],
      ["u", {}, 7, undefined, "u"],
    ]);
    expect([...r.families.values()].map((f) => [f.name, f.type])).toEqual([
      ["q", "gaugehistogram"],
      ["st", "stateset"],
      ["build", "info"],
      ["u", "unknown"],
    ]);
  });

  it("accepts # EOF without a final line break, NaN and infinite values, and escapes", () => {
    const r = om('a NaN\nb +Inf\nc{v="q\\"\\\\\\n\\t"} -Inf\n# EOF');
    expect(rows(r.samples)).toEqual([
      ["a", {}, NaN, undefined, "a"],
      ["b", {}, Infinity, undefined, "b"],
      ["c", { v: 'q"\\\n\\t' }, -Infinity, undefined, "c"],
    ]);
  });

  it("accepts HELP with empty text after its blank, and UNIT with an empty unit", () => {
    const r = om("# HELP a \n# UNIT a \na 1\n# EOF\n");
    expect(r.families.get("a")).toEqual({ name: "a", type: "unknown", help: "", unit: "" });
  });

  it.each([
    ["an empty body", "", 'line 1: the body does not end with "# EOF"'],
    ["no # EOF", "a 1\n", 'line 2: the body does not end with "# EOF"'],
    ["no line break after the last sample", "a 1", 'line 1: the body does not end with "# EOF"'],
    ["content after # EOF", "a 1\n# EOF\nb 2\n", 'line 3: content after "# EOF"'],
    ["a blank line after # EOF", "# EOF\n\n", 'line 2: content after "# EOF"'],
    ["a blank line", "a 1\n\nb 2\n# EOF\n", "line 2: blank line (OpenMetrics allows none)"],
    [
      "a comment",
      "# hello\na 1\n# EOF\n",
      'line 1: OpenMetrics allows no comments: a line starting with "#" must be "# HELP", "# TYPE", "# UNIT" or "# EOF"',
    ],
    [
      "a leading blank",
      " a 1\n# EOF\n",
      "line 1: the line starts with a blank (OpenMetrics allows none)",
    ],
    [
      "two spaces before the value",
      "a  1\n# EOF\n",
      "line 1: two spaces before the value of a (OpenMetrics wants one)",
    ],
    [
      "a tab before the value",
      "a\t1\n# EOF\n",
      'line 1: unexpected "\\t" where " " and the value of a should be',
    ],
    [
      "a blank at the end of the line",
      "a 1 \n# EOF\n",
      "line 1: missing the timestamp of a (a blank at the end of the line?)",
    ],
    [
      "a trailing comma in labels",
      'a{b="c",} 1\n# EOF\n',
      'line 1: trailing "," in the labels of a (OpenMetrics allows none)',
    ],
    ["a leading comma in labels", 'a{,b="c"} 1\n# EOF\n', 'line 1: the labels of a start with ","'],
    [
      "labels without a comma",
      'a{b="1"c="2"} 1\n# EOF\n',
      'line 1: expected "," between the labels of a',
    ],
    [
      "a blank inside labels",
      'a{b="1", c="2"} 1\n# EOF\n',
      "line 1: blank in the labels of a (OpenMetrics allows none)",
    ],
    [
      "a raw line break in a label value",
      'a{b="x\ny"} 1\n# EOF\n',
      'line 1: the value of label "b" on a is not terminated',
    ],
    [
      "no blank between labels and value",
      'a{b="c"}1\n# EOF\n',
      'line 1: unexpected "1" where " " and the value of a should be',
    ],
    [
      "the text format's TYPE untyped",
      "# TYPE a untyped\n# EOF\n",
      'line 1: invalid metric type "untyped" for a (want counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown)',
    ],
    [
      "HELP without text",
      "# HELP a\n# EOF\n",
      'line 1: expected " " and text after "# HELP a", found the end of the line',
    ],
    [
      "a UNIT that is not a suffix of the name",
      "# UNIT a_bytes seconds\n# EOF\n",
      'line 1: unit "seconds" is not a suffix of the metric name a_bytes',
    ],
    [
      "a UNIT matching without an underscore",
      "# UNIT abytes bytes\n# EOF\n",
      'line 1: unit "bytes" is not a suffix of the metric name abytes',
    ],
    ["a NaN timestamp", "a 1 NaN\n# EOF\n", 'line 1: invalid timestamp "NaN" for a'],
    ["an infinite timestamp", "a 1 +Inf\n# EOF\n", 'line 1: invalid timestamp "+Inf" for a'],
    [
      "CRLF line ends",
      "a 1\r\n# EOF\r\n",
      'line 1: the line ends with "\\r\\n"; the exposition formats need "\\n" line ends',
    ],
    [
      "an exemplar on a gauge (Prometheus rejects exemplars on names without _total or _bucket)",
      '# TYPE g gauge\ng 1 # {trace_id="a"} 1\n# EOF\n',
      "line 2: exemplar on g: Prometheus accepts exemplars only on _total and _bucket samples",
    ],
    [
      "an exemplar with a bad value",
      'c_total 1 # {a="b"} x\n# EOF\n',
      'line 1: invalid exemplar value "x" on c_total',
    ],
    [
      "an exemplar without a value",
      'c_total 1 # {a="b"}\n# EOF\n',
      "line 1: missing the exemplar value of c_total",
    ],
    [
      "an exemplar with a NaN timestamp",
      'c_total 1 # {a="b"} 1 NaN\n# EOF\n',
      'line 1: invalid exemplar timestamp "NaN" on c_total',
    ],
    [
      "garbage after an exemplar",
      'c_total 1 # {a="b"} 1 2 3\n# EOF\n',
      'line 1: unexpected " " after the exemplar timestamp of c_total',
    ],
    [
      "an unterminated exemplar label value",
      'c_total 1 # {a="b} 1\n# EOF\n',
      'line 1: the value of label "a" on c_total is not terminated',
    ],
    ["a duplicate label", 'a{b="1",b="2"} 1\n# EOF\n', 'line 1: duplicate label "b" on a'],
  ])("rejects %s", (_what, body, message) => {
    expect(errorOf(() => om(body)).message).toBe(message);
  });
});

describe("families", () => {
  it("assigns _bucket, _sum, _count and _created samples to a declared histogram", () => {
    const r = om(
      "# TYPE h histogram\n" +
        'h_bucket{le="1"} 0\nh_bucket{le="+Inf"} 1\nh_sum 2\nh_count 1\nh_created 1700000000\n# EOF\n',
    );
    expect(r.samples.map((s) => s.family)).toEqual(["h", "h", "h", "h", "h"]);
    expect([...r.families.keys()]).toEqual(["h"]);
  });

  it("gives a sample its own untyped family when no declaration owns its suffix", () => {
    const r = prom(
      "# TYPE g gauge\ng_sum 1\ng_total 2\n# TYPE s summary\ns_bucket 3\ns_info 4\nlone 5\n",
    );
    expect(r.samples.map((s) => s.family)).toEqual([
      "g_sum",
      "g_total",
      "s_bucket",
      "s_info",
      "lone",
    ]);
    expect([...r.families.values()]).toEqual([
      { name: "g", type: "gauge" },
      { name: "s", type: "summary" },
      { name: "g_sum", type: "untyped" },
      { name: "g_total", type: "untyped" },
      { name: "s_bucket", type: "untyped" },
      { name: "s_info", type: "untyped" },
      { name: "lone", type: "untyped" },
    ]);
    expect(om("lone 5\n# EOF\n").families.get("lone")).toEqual({ name: "lone", type: "unknown" });
  });

  it("prefers a family named exactly like the sample over a suffix match", () => {
    const r = prom("# TYPE h histogram\n# TYPE h_count gauge\nh_count 1\nh_sum 2\n");
    expect(r.samples.map((s) => s.family)).toEqual(["h_count", "h"]);
  });

  it("applies a TYPE that comes after the samples it owns to those samples", () => {
    const r = prom('h_bucket{le="+Inf"} 1\nh_count 1\n# TYPE h histogram\nh_sum 2\n');
    expect(r.samples.map((s) => s.family)).toEqual(["h", "h", "h"]);
    expect([...r.families.values()]).toEqual([{ name: "h", type: "histogram" }]);
  });

  it("treats a counter's _total sample and the text format's full counter name alike", () => {
    expect(prom("# TYPE a_total counter\na_total 1\n").samples[0]!.family).toBe("a_total");
    expect(prom("# TYPE a counter\na_total 1\n").samples[0]!.family).toBe("a");
  });
});

describe("limits", () => {
  it("rejects the sample after the limit, naming the limit", () => {
    expect(prom("a 1\nb 2\n", { maxSamples: 2 }).samples).toHaveLength(2);
    const e = errorOf(() => prom("a 1\nb 2\n# c\nc 3\n", { maxSamples: 2 }));
    expect(e).toBeInstanceOf(ExpositionLimitError);
    expect((e as ExpositionLimitError).limit).toBe("samples");
    expect(e.message).toBe("sample limit 2 exceeded");
    expect(e.line).toBe(4);
  });

  it("rejects a sample with more labels than the limit, not counting __name__", () => {
    expect(prom('a{x="1",y="2"} 1\n', { maxLabels: 2 }).samples).toHaveLength(1);
    const e = errorOf(() =>
      om('a 1\nhttp_requests_total{x="1",y="2",z="3"} 1\n# EOF\n', { maxLabels: 2 }),
    );
    expect([(e as ExpositionLimitError).limit, e.message, e.line]).toEqual([
      "labels",
      "http_requests_total has 3 labels (limit 2)",
      2,
    ]);
  });

  it("rejects a label name longer than the limit", () => {
    expect(prom('a{abcd="1"} 1\n', { maxLabelNameLength: 4 }).samples).toHaveLength(1);
    const e = errorOf(() => prom('a{abcde="1"} 1\n', { maxLabelNameLength: 4 }));
    expect([(e as ExpositionLimitError).limit, e.message]).toEqual([
      "labelNameLength",
      'label name "abcde" on a is 5 bytes (limit 4)',
    ]);
  });

  it("measures label values in UTF-8 bytes after unescaping, as Prometheus does", () => {
    const limits = { maxLabelValueLength: 4 };
    expect(prom('a{p="ab\\\\c"} 1\n', limits).samples[0]!.labels[0]![1]).toBe("ab\\c");
    expect(prom('a{p="ü€"} 1\n', { maxLabelValueLength: 5 }).samples).toHaveLength(1);
    const e = errorOf(() => prom('a{p="ü€"} 1\n', limits));
    expect([(e as ExpositionLimitError).limit, e.message]).toEqual([
      "labelValueLength",
      'label value of "p" on a is 5 bytes (limit 4)',
    ]);
    const path = "/".repeat(2113);
    expect(
      errorOf(() => prom(`http_requests_total{path="${path}"} 1\n`, { maxLabelValueLength: 1024 }))
        .message,
    ).toBe('label value of "path" on http_requests_total is 2113 bytes (limit 1024)');
    expect(errorOf(() => prom('a{p="🦊🦊"} 1\n', { maxLabelValueLength: 7 })).message).toBe(
      'label value of "p" on a is 8 bytes (limit 7)',
    );
  });

  it("reports a syntax error before a limit crossed later in the body", () => {
    const e = errorOf(() => prom("a 1\nb\nc 3\n", { maxSamples: 1 }));
    expect(e).not.toBeInstanceOf(ExpositionLimitError);
    expect(e.message).toBe("line 2: missing value for b");
  });
});

describe("formatFromContentType", () => {
  it.each([
    ["application/openmetrics-text; version=1.0.0; charset=utf-8", "openmetrics"],
    ["application/openmetrics-text; version=0.0.1", "openmetrics"],
    ["Application/OpenMetrics-Text", "openmetrics"],
    ["text/plain; version=0.0.4; charset=utf-8", "prometheus"],
    ["application/json", "prometheus"],
    ["", "prometheus"],
    [null, "prometheus"],
    [undefined, "prometheus"],
  ])("%s → %s (textparse.New's choice)", (contentType, format) => {
    expect(formatFromContentType(contentType)).toBe(format);
  });
});

// ---- Against the reference implementation ----
//
// Each body with the verdict of Prometheus 2.42's scraper, which is ours (`accepted`),
// and where they differ, the verdict of `promtool check metrics` (its parser is
// client_golang's expfmt, stricter in places) and of the scraper (where we deviate).

interface ReferenceCase {
  what: string;
  format: ExpositionFormat;
  body: string;
  accepted: boolean;
  /** `promtool check metrics`, when it differs from `accepted` (text format only). */
  promtool?: boolean;
  /** Prometheus's scrape, when it differs from `accepted`: a deliberate deviation. */
  scraper?: boolean;
}

const textCase = (
  what: string,
  body: string,
  accepted: boolean,
  promtool?: boolean,
): ReferenceCase => ({
  what,
  format: "prometheus",
  body,
  accepted,
  promtool,
});
const omCase = (what: string, body: string, accepted: boolean): ReferenceCase => ({
  what,
  format: "openmetrics",
  body,
  accepted,
});

const REFERENCE_CASES: ReferenceCase[] = [
  textCase(
    "a counter with HELP, TYPE and timestamps",
    '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{method="post",code="200"} 1027 1395066363000\n',
    true,
  ),
  textCase("escaped label values", 'a{p="C:\\\\DIR",e="x:\\n\\"q\\""} 1\n', true),
  textCase("NaN and infinite values", "a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\n", true),
  textCase(
    "Go float forms",
    "a 1e3\nb .5\nc 5.\nd +1\ne 007\nf 1E-3\ng -0\nh infinity\ni 1e-400\n",
    true,
  ),
  textCase("{} and a trailing comma", 'a{} 1\nb{c="d",} 2\n', true),
  textCase("blanks between all tokens", 'a { b = "c" ,\td="e" }\t1\n', true),
  textCase("tabs as separators", "a\t1\t2\n", true),
  textCase("two blanks before the value", "a  1\n", true),
  textCase("a value right after }", 'a{b="c"}1\n', true),
  textCase("a signed value right after the name", "a+1\nb-2\n", true),
  textCase("blanks before a comment and on a blank line", "  # HELP a x\n \t\na 1\n", true),
  textCase("blanks before a sample", "  a 1\n", false, true),
  textCase("blank lines and comments only", "\n# just a comment\n\n", true),
  textCase("an empty body", "", true),
  textCase("HELP without text", "# HELP a\na 1\n", true),
  textCase("TYPE untyped", "# TYPE a untyped\na 1\n", true),
  textCase("an empty label value", 'a{b=""} 1\n', true),
  textCase("unicode label values", 'a{city="Zürich",e="🦊"} 1\n', true),
  textCase(
    "NaN, +Inf and 1.0 as le",
    '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="1.0"} 1\nh_bucket{le="NaN"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    true,
  ),
  textCase("a line of 100,000 characters", `a{b="${"x".repeat(100_000)}"} 1\n`, true),
  textCase("a NUL byte in a label value", 'a{b="x\u0000y"} 1\n', true),
  textCase("a tab and a blank before HELP", "#\t HELP a x\na 1\n", true),
  textCase("# HELPx is a comment", "# HELPx y\na 1\n", true),
  textCase("colons in the metric name, __ in a label name", 'a:b:c{__x="1"} 1\n', true),
  textCase("the largest int64 timestamp", "a 1 9223372036854775807\n", true),
  textCase("no line break at the end", "a 1", true, false),
  textCase("TYPE after the family's samples", "a 1\n# TYPE a counter\n", true, false),
  textCase("two TYPE lines", "# TYPE a counter\n# TYPE a gauge\na 1\n", true, false),
  textCase("two HELP lines", "# HELP a x\n# HELP a y\na 1\n", true, false),
  textCase("the unknown escape \\t in a label value", 'a{b="x\\ty"} 1\n', true, false),
  textCase("the unknown escape \\t in HELP", "# HELP a x\\ty\na 1\n", true, false),
  textCase("a raw line break in a label value", 'a{b="x\ny"} 1\n', true, false),
  textCase("label pairs without a comma", 'a{b="1" c="2"} 1\n', true, false),
  textCase("a blank after the value", "a 1 \n", true, false),
  textCase("a blank after the timestamp", "a 1 2 \n", true, false),
  textCase("#TYPE without a blank is a comment", "#TYPE a bogus\na 1\n", true, false),
  textCase("TYPE in upper case", "# TYPE a COUNTER\na 1\n", false, true),
  textCase("TYPE without a type", "# TYPE a\na 1\n", false, true),
  textCase("two blanks before the type", "# TYPE a  counter\na 1\n", false, true),
  textCase("a negative timestamp", "a 1 -5\n", false, true),
  textCase("a blank after the type", "# TYPE a counter \na 1\n", false),
  textCase("a missing value", "a\n", false),
  textCase("a missing value after labels", 'a{b="c"}\n', false),
  textCase("an unterminated quote", 'a{b="c} 1\n', false),
  textCase("a label name starting with a digit", 'a{1b="c"} 1\n', false),
  textCase("a decimal comma", "a 1,5\n", false),
  textCase("garbage after the timestamp", "a 1 2 x\n", false),
  textCase("two timestamps", "a 1 2 3\n", false),
  textCase("a duplicate label", 'a{b="1",b="2"} 1\n', false),
  textCase("__name__ among the labels", 'a{__name__="b"} 1\n', false),
  textCase("a NUL byte in the value", "a 1\u00005\n", false),
  textCase("a line of only {", "{\n", false),
  textCase("a byte order mark", "\ufeffa 1\n", false),
  textCase("CRLF line ends", "a 1\r\n", false),
  textCase("a hex value", "a 0x10\n", false),
  textCase("a hex float value", "a 0x1p4\n", false),
  textCase("underscores in the value", "a 1_000\n", false),
  textCase("an overflowing value", "a 1e400\n", false),
  textCase("+NaN", "a +NaN\n", false),
  textCase("a fractional timestamp", "a 1 1.5\n", false),
  textCase("a timestamp beyond int64", "a 1 9223372036854775808\n", false),
  textCase("HELP with an invalid name", "# HELP 1a x\n", false),
  textCase("an unquoted label value", "a{b=c} 1\n", false),
  textCase("a label without a value", "a{b} 1\n", false),
  textCase("two commas", 'a{b="c",,d="e"} 1\n', false),
  textCase("a second label set", 'a{b="c"}{d="e"} 1\n', false),
  textCase("a backslash before a line break", 'a{b="x\\\ny"} 1\n', false),
  textCase("an exemplar", 'a_total 1 # {t="1"} 1\n', false),
  {
    ...textCase("a NUL byte starting a line", "a 1\n\u0000b 2\n", false),
    scraper: true,
  },
  {
    ...textCase("a duplicate label whose first value is empty", 'a{b="",b="x"} 1\n', false),
    scraper: true,
  },

  omCase(
    "a counter with _total, _created, UNIT and exemplars",
    '# TYPE rq_seconds counter\n# UNIT rq_seconds seconds\n# HELP rq_seconds Time.\nrq_seconds_total{p="/"} 5.5 # {trace_id="abc"} 0.67 1700000000.5\nrq_seconds_created{p="/"} 1700000000.5\n# EOF\n',
    true,
  ),
  omCase("# EOF without a final line break", "a 1\n# EOF", true),
  omCase("timestamps in seconds", "a 1 1520879607.789\nb 1 -1.5\n# EOF\n", true),
  omCase(
    "an exemplar on a bucket",
    '# TYPE h histogram\nh_bucket{le="+Inf"} 2 # {} 9\nh_count 2\nh_sum 9\n# EOF\n',
    true,
  ),
  omCase(
    "gaugehistogram, stateset, info and unknown",
    '# TYPE q gaugehistogram\nq_bucket{le="+Inf"} 3\nq_gcount 3\nq_gsum 4\n# TYPE st stateset\nst{st="a"} 1\n# TYPE b info\nb_info{v="1"} 1\n# TYPE u unknown\nu 7\n# EOF\n',
    true,
  ),
  omCase("HELP with empty text", "# HELP a \na 1\n# EOF\n", true),
  omCase("an empty label set", "a{} 1\n# EOF\n", true),
  omCase("escapes, with \\t kept", 'a{v="q\\"\\\\\\n\\t"} NaN\n# EOF\n', true),
  omCase(
    "an exemplar after a timestamp",
    'c_total 1 1700000000 # {a="b"} 1 1700000000\n# EOF\n',
    true,
  ),
  omCase("an infinite exemplar value", 'c_total 1 # {a="b"} +Inf\n# EOF\n', true),
  omCase(
    "an exemplar on a gauge named _total",
    '# TYPE g_total gauge\ng_total 1 # {a="b"} 1\n# EOF\n',
    true,
  ),
  omCase("a counter sample without _total", "# TYPE c counter\nc 1\n# EOF\n", true),
  omCase("TYPE after the family's samples", "a 1\n# TYPE a gauge\n# EOF\n", true),
  omCase("UNIT with an empty unit", "# UNIT a \na 1\n# EOF\n", true),
  omCase("two spaces before the timestamp", "a 1  2\n# EOF\n", false),
  omCase("a blank after # EOF", "a 1\n# EOF \n", false),
  omCase("an exemplar without its blank", 'c_total 1 #{a="b"} 1\n# EOF\n', false),
  omCase("a trailing comma in exemplar labels", 'c_total 1 # {a="b",} 1\n# EOF\n', false),
  omCase("an exemplar without a value", 'c_total 1 # {a="b"}\n# EOF\n', false),
  omCase("an empty body", "", false),
  omCase("no # EOF", "a 1\n", false),
  omCase("content after # EOF", "a 1\n# EOF\nb 2\n", false),
  omCase("a blank line after # EOF", "a 1\n# EOF\n\n", false),
  omCase("a blank line", "a 1\n\nb 2\n# EOF\n", false),
  omCase("a comment", "# hello\na 1\n# EOF\n", false),
  omCase("two spaces before the value", "a  1\n# EOF\n", false),
  omCase("a tab before the value", "a\t1\n# EOF\n", false),
  omCase("a blank at the end of the line", "a 1 \n# EOF\n", false),
  omCase("a trailing comma in labels", 'a{b="c",} 1\n# EOF\n', false),
  omCase("a blank inside labels", 'a{b="1", c="2"} 1\n# EOF\n', false),
  omCase("labels without a comma", 'a{b="1"c="2"} 1\n# EOF\n', false),
  omCase("a raw line break in a label value", 'a{b="x\ny"} 1\n# EOF\n', false),
  omCase("TYPE untyped", "# TYPE a untyped\na 1\n# EOF\n", false),
  omCase("HELP without text", "# HELP a\na 1\n# EOF\n", false),
  omCase(
    "a UNIT that is not the name's suffix",
    "# UNIT a_bytes seconds\na_bytes 1\n# EOF\n",
    false,
  ),
  omCase("a NaN timestamp", "a 1 NaN\n# EOF\n", false),
  omCase("CRLF line ends", "a 1\r\n# EOF\r\n", false),
  omCase("an exemplar on a gauge", '# TYPE g gauge\ng 1 # {trace_id="a"} 1\n# EOF\n', false),
  omCase("an exemplar with a bad value", 'c_total 1 # {a="b"} x\n# EOF\n', false),
  omCase("a duplicate label", 'a{b="1",b="2"} 1\n# EOF\n', false),
];

/** Whether our parser accepts the body (and how many samples it read). */
function ourVerdict(c: ReferenceCase): { accepted: boolean; samples: number } {
  try {
    return { accepted: true, samples: parseExposition(c.body, c.format).samples.length };
  } catch (e) {
    if (!(e instanceof ExpositionError)) throw e;
    return { accepted: false, samples: 0 };
  }
}

it.each(REFERENCE_CASES.map((c) => [`${c.format}: ${c.what}`, c] as const))(
  "reference table, our verdict: %s",
  (_name, c) => {
    expect(ourVerdict(c).accepted).toBe(c.accepted);
  },
);

/**
 * Whether a test that needs `binary` runs: on CI it must (a missing binary fails the
 * tests), elsewhere it is skipped with a message.
 */
function canRun(binary: string): boolean {
  if (existsSync(binary)) return true;
  if (process.env.CI) return true;
  console.warn(`skipping the tests that need ${binary}: it is not installed`);
  return false;
}

function requireBinary(binary: string): void {
  if (!existsSync(binary)) throw new Error(`${binary} is required (Debian's prometheus package)`);
}

describe.runIf(canRun(PROMTOOL))("against promtool check metrics (Prometheus 2.42)", () => {
  const textCases = REFERENCE_CASES.filter((c) => c.format === "prometheus");

  it.each(textCases.map((c) => [c.what, c] as const))("%s", (_what, c) => {
    requireBinary(PROMTOOL);
    const run = spawnSync(PROMTOOL, ["check", "metrics"], { input: c.body, encoding: "utf8" });
    // Exit 1 with "error while linting" is a parse error; 3 is lint problems only.
    const parseError = run.status === 1 && run.stderr.includes("error while linting");
    expect(parseError || run.status === 0 || run.status === 3, run.stderr).toBe(true);
    expect(!parseError, run.stderr).toBe(c.promtool ?? c.accepted);
  });
});

const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const OPENMETRICS_ACCEPT = "application/openmetrics-text; version=1.0.0";

/** A port nothing listens on now, for a child process to take. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

/** Polls `check` until it holds; fails naming `what` if it never does. */
async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `binary` and waits until `readyUrl` answers 200; `stop` ends it. */
async function startDaemon(binary: string, args: string[], readyUrl: string) {
  requireBinary(binary);
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const exited = new Promise((r) => child.once("exit", r));
  try {
    await waitFor(`${binary} to answer ${readyUrl}`, async () => {
      if (child.exitCode !== null) throw new Error(`${binary} exited: ${log}`);
      return (await fetch(readyUrl)).ok;
    });
  } catch (e) {
    child.kill();
    throw e;
  }
  return {
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The same registry contents from prom-client in both of its formats. */
async function promClientBodies(): Promise<{
  text: string;
  openmetrics: string;
  contentType: string;
}> {
  const fill = (registry: Registry<RegistryContentType>, exemplars: boolean) => {
    const registers = [registry];
    const counter = new Counter({
      name: "jobs_total",
      help: "Jobs run.",
      labelNames: ["kind"],
      registers,
      enableExemplars: exemplars,
    });
    const gauge = new Gauge({ name: "queue_depth", help: "Queued jobs.", registers });
    const histogram = new Histogram({
      name: "job_seconds",
      help: "Job duration.",
      labelNames: ["kind"],
      buckets: [0.1, 1, 10],
      registers,
      enableExemplars: exemplars,
    });
    const summary = new Summary({
      name: "payload_bytes",
      help: "Payload size.",
      percentiles: [0.5, 0.99],
      registers,
    });
    collectDefaultMetrics({ register: registry });
    if (exemplars) {
      // prom-client 15 types exemplar labels as the metric's own label names; any are allowed.
      const trace = (id: string) => ({ trace_id: id }) as unknown as LabelValues<"kind">;
      counter.inc({ labels: { kind: "backup" }, value: 2, exemplarLabels: trace("abc") });
      histogram.observe({ labels: { kind: "backup" }, value: 0.5, exemplarLabels: trace("d") });
    } else {
      counter.inc({ kind: "backup" }, 2);
      histogram.observe({ kind: "backup" }, 0.5);
    }
    gauge.set(3);
    summary.observe(100);
    summary.observe(2000);
  };
  const text = new Registry();
  fill(text, false);
  const openmetrics = new Registry<OpenMetricsContentType>();
  openmetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  fill(openmetrics, true);
  return {
    text: await text.metrics(),
    openmetrics: await openmetrics.metrics(),
    contentType: openmetrics.contentType,
  };
}

const PROM_CLIENT = await promClientBodies();

/** A sample's identity: name and labels, sorted (values change between two fetches). */
const seriesKey = (s: ParsedSample) =>
  `${s.name}{${s.labels
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .sort()
    .join(",")}}`;

/** What a simple line count says a body holds: lines that are neither blank nor comments. */
const sampleLines = (body: string) =>
  body.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).length;

describe("prom-client output", () => {
  it("parses prom-client's text format: counter, gauge, histogram, summary and default metrics", () => {
    const r = prom(PROM_CLIENT.text);
    expect(r.samples).toHaveLength(sampleLines(PROM_CLIENT.text));
    expect(rows(r.samples.filter((s) => s.family === "job_seconds"))).toEqual([
      ["job_seconds_bucket", { le: "0.1", kind: "backup" }, 0, undefined, "job_seconds"],
      ["job_seconds_bucket", { le: "1", kind: "backup" }, 1, undefined, "job_seconds"],
      ["job_seconds_bucket", { le: "10", kind: "backup" }, 1, undefined, "job_seconds"],
      ["job_seconds_bucket", { le: "+Inf", kind: "backup" }, 1, undefined, "job_seconds"],
      ["job_seconds_sum", { kind: "backup" }, 0.5, undefined, "job_seconds"],
      ["job_seconds_count", { kind: "backup" }, 1, undefined, "job_seconds"],
    ]);
    expect(rows(r.samples.filter((s) => s.family === "payload_bytes"))).toEqual([
      ["payload_bytes", { quantile: "0.5" }, 1050, undefined, "payload_bytes"],
      ["payload_bytes", { quantile: "0.99" }, 2000, undefined, "payload_bytes"],
      ["payload_bytes_sum", {}, 2100, undefined, "payload_bytes"],
      ["payload_bytes_count", {}, 2, undefined, "payload_bytes"],
    ]);
    expect(r.families.get("jobs_total")).toEqual({
      name: "jobs_total",
      type: "counter",
      help: "Jobs run.",
    });
    expect(r.families.get("queue_depth")).toEqual({
      name: "queue_depth",
      type: "gauge",
      help: "Queued jobs.",
    });
    expect(r.families.get("process_cpu_user_seconds_total")?.type).toBe("counter");
    expect(r.families.get("nodejs_heap_size_total_bytes")?.type).toBe("gauge");
  });

  it("parses prom-client's OpenMetrics with exemplars, the same samples as its text format", () => {
    expect(formatFromContentType(PROM_CLIENT.contentType)).toBe("openmetrics");
    const r = om(PROM_CLIENT.openmetrics);
    expect(PROM_CLIENT.openmetrics).toContain('jobs_total{kind="backup"} 2 # {trace_id="abc"} 2 ');
    expect(rows(r.samples.filter((s) => s.family === "jobs"))).toEqual([
      ["jobs_total", { kind: "backup" }, 2, undefined, "jobs"],
    ]);
    expect(r.families.get("jobs")).toEqual({ name: "jobs", type: "counter", help: "Jobs run." });
    const bucket = r.samples.find(
      (s) => s.name === "job_seconds_bucket" && s.labels[0]![1] === "1",
    );
    expect(bucket).toEqual({
      name: "job_seconds_bucket",
      labels: [
        ["le", "1"],
        ["kind", "backup"],
      ],
      value: 1,
      timestampMs: undefined,
      family: "job_seconds",
    });
    const own = (samples: ParsedSample[]) =>
      samples.filter((s) => /^(jobs|queue|job_seconds|payload)/.test(s.name)).map(seriesKey);
    expect(own(r.samples)).toEqual(own(prom(PROM_CLIENT.text).samples));
  });
});

describe.runIf(canRun(NODE_EXPORTER))("a real node-exporter", () => {
  let stop: () => Promise<void> = async () => {};
  let url = "";
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    ({ stop } = await startDaemon(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], url));
  }, 90_000);
  afterAll(() => stop());

  it("parses its answers to a text and an OpenMetrics Accept to the same series", async () => {
    const get = async (accept: string) => {
      const res = await fetch(url, { headers: { accept } });
      return { contentType: res.headers.get("content-type"), body: await res.text() };
    };
    const text = await get("text/plain");
    const openmetrics = await get(OPENMETRICS_ACCEPT);
    // node-exporter 1.5 leaves OpenMetrics off: it answers the text format to both.
    expect(text.contentType).toBe(TEXT_CONTENT_TYPE);
    expect(openmetrics.contentType).toBe(TEXT_CONTENT_TYPE);
    const a = parseExposition(text.body, formatFromContentType(text.contentType));
    const b = parseExposition(openmetrics.body, formatFromContentType(openmetrics.contentType));
    expect(a.samples).toHaveLength(sampleLines(text.body));
    expect(b.samples).toHaveLength(sampleLines(openmetrics.body));

    const cpu = a.samples.filter((s) => s.name === "node_cpu_seconds_total");
    expect(cpu.length).toBeGreaterThan(0);
    for (const s of cpu) {
      expect(s.labels.map(([k]) => k).sort()).toEqual(["cpu", "mode"]);
      expect(s.family).toBe("node_cpu_seconds_total");
      expect(s.value).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(cpu.map((s) => s.labels.find(([k]) => k === "mode")![1]))).toContain("idle");
    expect(a.families.get("node_cpu_seconds_total")).toEqual({
      name: "node_cpu_seconds_total",
      type: "counter",
      help: "Seconds the CPUs spent in each mode.",
    });

    const series = (samples: ParsedSample[]) =>
      samples
        .filter((s) => !s.name.endsWith("_created"))
        .map(seriesKey)
        .sort();
    expect(series(b.samples)).toEqual(series(a.samples));
  });
});

describe.runIf(canRun(PROMETHEUS))("against a Prometheus 2.42 scrape", () => {
  const cases: ReferenceCase[] = [
    ...REFERENCE_CASES,
    {
      what: "prom-client's text format",
      format: "prometheus",
      body: PROM_CLIENT.text,
      accepted: true,
    },
    {
      what: "prom-client's OpenMetrics",
      format: "openmetrics",
      body: PROM_CLIENT.openmetrics,
      accepted: true,
    },
  ];
  const seen = new Map<number, { health: string; lastError: string; scraped: number }>();
  let stop: () => Promise<void> = async () => {};
  let server: Server | undefined;
  let dir = "";

  beforeAll(async () => {
    server = createServer((req, res) => {
      const c = cases[Number(req.url!.split("/")[2])]!;
      res.writeHead(200, {
        "content-type": c.format === "openmetrics" ? PROM_CLIENT.contentType : TEXT_CONTENT_TYPE,
      });
      res.end(c.body);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), "opsdeck-exposition-"));
    // JSON is YAML: one target a case, told apart by its path.
    const config = {
      global: { scrape_interval: "1s", scrape_timeout: "1s" },
      scrape_configs: [
        {
          job_name: "cases",
          static_configs: cases.map((_, k) => ({
            targets: [target],
            labels: { __metrics_path__: `/case/${k}`, case: String(k) },
          })),
        },
      ],
    };
    writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config));
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api/v1`;
    ({ stop } = await startDaemon(
      PROMETHEUS,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `http://127.0.0.1:${port}/-/ready`,
    ));
    interface Target {
      labels: { case: string };
      health: string;
      lastError: string;
    }
    let targets: Target[] = [];
    await waitFor("Prometheus to scrape every case", async () => {
      const answer = await (await fetch(`${api}/targets?state=active`)).json();
      targets = answer.data.activeTargets;
      return targets.length === cases.length && targets.every((t) => t.health !== "unknown");
    });
    const query = await (await fetch(`${api}/query?query=scrape_samples_scraped`)).json();
    const scraped = new Map<string, number>(
      query.data.result.map((r: { metric: { case: string }; value: [number, string] }) => [
        r.metric.case,
        Number(r.value[1]),
      ]),
    );
    for (const t of targets) {
      seen.set(Number(t.labels.case), {
        health: t.health,
        lastError: t.lastError,
        scraped: scraped.get(t.labels.case) ?? -1,
      });
    }
  }, 120_000);

  afterAll(async () => {
    await stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases.map((c, k) => [`${c.format}: ${c.what}`, k] as const))("%s", (_name, k) => {
    const c = cases[k]!;
    const scrape = seen.get(k)!;
    expect(scrape.health === "up", scrape.lastError).toBe(c.scraper ?? c.accepted);
    const ours = ourVerdict(c);
    if (ours.accepted && scrape.health === "up") expect(ours.samples).toBe(scrape.scraped);
  });
});
