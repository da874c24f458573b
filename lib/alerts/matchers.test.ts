import { describe, expect, it } from "vitest";
import { matches, parseMatcher, type Matcher } from "./matchers";

const m = (text: string) => {
  const parsed = parseMatcher(text);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
};
const on = (matcher: Matcher, value: string) => matches(matcher, { v: value });

describe("regular expressions in matchers run in linear time (RE2)", () => {
  const long = "a".repeat(50_000);

  it("the review's silence, .*.*…x twenty times, answers on long input", () => {
    const silence = m(`v=~${".*".repeat(20)}x`);
    expect(on(silence, long)).toBe(false);
    expect(on(silence, `${long}x`)).toBe(true);
  });

  it("nested repetition is accepted, as Alertmanager accepts it, and is no longer a hazard", () => {
    for (const text of ["v=~(a+)+$", "v=~(.*.*)*x", "v=~(a|aa)*", "v=~(x{2,})+", 'v=~"(\\d+)*$"']) {
      const matcher = m(text);
      expect(on(matcher, `${long}!`), text).toBe(false);
    }
    expect(on(m("v=~(a+)+"), long)).toBe(true);
    expect(on(m("v=~(a|aa)*"), long)).toBe(true);
  });

  it("a negative matcher is just as fast", () => {
    expect(on(m(`v!~${".*".repeat(20)}x`), long)).toBe(true);
  });
});

describe("matcher semantics stay Alertmanager's", () => {
  it("regular expressions are fully anchored", () => {
    const web = m("v=~web|api");
    expect(on(web, "web")).toBe(true);
    expect(on(web, "api")).toBe(true);
    expect(on(web, "webapi")).toBe(false);
    expect(on(web, "my-web")).toBe(false);
    expect(on(m("v=~lat.*"), "latency")).toBe(true);
    expect(on(m("v=~lat"), "latency")).toBe(false);
    expect(on(m("v!~lat"), "latency")).toBe(true);
  });

  it("a pattern cannot break out of its anchors", () => {
    expect(parseMatcher("v=~a)|(b")).toMatch(/not a valid regular expression/);
  });

  it("a missing label matches as the empty string", () => {
    expect(matches(m("v=~.*"), {})).toBe(true);
    expect(matches(m("v=~.+"), {})).toBe(false);
    expect(matches(m("v!~.+"), {})).toBe(true);
  });

  it("RE2 syntax: classes, flags and named groups work; . does not match a newline", () => {
    expect(on(m("v=~\\d+"), "123")).toBe(true);
    expect(on(m("v=~(?i)CRIT.*"), "critical")).toBe(true);
    expect(on(m("v=~(?P<env>prod|staging)"), "prod")).toBe(true);
    expect(on(m("v=~a.c"), "a\nc")).toBe(false);
  });

  it("refuses what RE2 cannot run, saying why", () => {
    expect(parseMatcher("v=~(?=a)")).toMatch(/not a valid regular expression.*unsupported/);
    expect(parseMatcher("v=~(a)\\1")).toMatch(/not a valid regular expression.*\\1/);
    expect(parseMatcher("v=~(")).toMatch(/not a valid regular expression.*missing closing \)/);
    expect(parseMatcher("v=~[z-a]")).toMatch(/not a valid regular expression/);
  });

  it("a stored pattern this engine cannot compile never matches (the silence does not apply)", () => {
    const stored: Matcher = { name: "v", op: "=~", value: "(?=x)x" };
    expect(on(stored, "x")).toBe(false);
    expect(on({ ...stored, op: "!~" }, "x")).toBe(false);
  });
});
