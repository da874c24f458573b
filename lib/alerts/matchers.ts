// Label matchers in Alertmanager's syntax, shared by routes, inhibition rules and
// silences (the silence form validates with the same parser in the browser).
import { compileFullMatch, type FullMatch } from "@/lib/patterns";

export type MatchOp = "=" | "!=" | "=~" | "!~";
export type Matcher = { name: string; op: MatchOp; value: string };
export type Labels = Record<string, string>;

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** "severity=critical" → matcher; a string is the reason it is not one. */
export function parseMatcher(text: string): Matcher | string {
  if (text.length > 500) return "a matcher is at most 500 characters";
  const m = MATCHER.exec(text);
  if (!m)
    return `expected a matcher such as severity=critical or service=~"api|web", got "${text}"`;
  let value = m[3]!;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
    value = value.slice(1, -1).replace(/\\(["\\])/g, "$1");
  const op = m[2] as MatchOp;
  if (op === "=~" || op === "!~") {
    const compiled = compileFullMatch(value);
    if (typeof compiled === "string")
      return `"${value}" is not a valid regular expression (RE2 syntax, as in Alertmanager): ${compiled}`;
  }
  return { name: m[1]!, op, value };
}

const regexCache = new Map<string, FullMatch | null>();
/** The compiled pattern; null for one this engine refuses (stored before it was checked). */
function anchored(source: string): FullMatch | null {
  let re = regexCache.get(source);
  if (re === undefined) {
    const compiled = compileFullMatch(source);
    re = typeof compiled === "string" ? null : compiled;
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

/** A missing label matches as the empty string, as in Alertmanager. */
export function matches(matcher: Matcher, labels: Labels): boolean {
  const value = labels[matcher.name] ?? "";
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    // A pattern that cannot be compiled matches nothing either way: a silence or route
    // built on it does not apply, rather than silencing everything.
    case "=~":
      return anchored(matcher.value)?.(value) ?? false;
    case "!~": {
      const re = anchored(matcher.value);
      return re ? !re(value) : false;
    }
  }
}

export function matchesAll(list: readonly Matcher[], labels: Labels): boolean {
  return list.every((m) => matches(m, labels));
}

export function formatMatcher(m: Matcher): string {
  return /^[\w.-]*$/.test(m.value)
    ? `${m.name}${m.op}${m.value}`
    : `${m.name}${m.op}"${m.value.replace(/(["\\])/g, "\\$1")}"`;
}

/** A stable identity for a label set: the same labels in any order give the same string. */
export function fingerprint(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(",");
}
