// Label matchers in Alertmanager's syntax, shared by routes, inhibition rules and
// silences (the silence form validates with the same parser in the browser).

export type MatchOp = "=" | "!=" | "=~" | "!~";
export type Matcher = { name: string; op: MatchOp; value: string };
export type Labels = Record<string, string>;

/** A quantified group that contains a quantifier or an alternation: (a+)+, (a|aa)*, (x{2,})+. */
const NESTED_REPETITION = /\((?:[^()\\]|\\.)*(?:[*+|]|\{\d)(?:[^()\\]|\\.)*\)\s*(?:[*+]|\{\d)/;

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
    if (NESTED_REPETITION.test(value))
      return `"${value}" repeats a group that itself repeats or alternates; such a regular expression can take exponential time`;
    try {
      new RegExp(`^(?:${value})$`);
    } catch {
      return `"${value}" is not a valid regular expression`;
    }
  }
  return { name: m[1]!, op, value };
}

const regexCache = new Map<string, RegExp>();
function anchored(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`);
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
    case "=~":
      return anchored(matcher.value).test(value);
    case "!~":
      return !anchored(matcher.value).test(value);
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
