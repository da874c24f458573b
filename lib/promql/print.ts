// PromQL printed back the way Prometheus 2.42 prints a parsed expression (its String()
// methods in promql/parser/printer.go): one canonical text per syntax tree, so errors and
// tests can show a query as Prometheus would and a parse can be checked round trip.

import type { AtModifier, Expr, LabelMatcher, VectorMatching, VectorSelector } from "./ast";
import { goQuote } from "./lex";

const UNITS: [string, number, boolean][] = [
  // Years and weeks only when exact: 90d reads better than 12w6d.
  ["y", 365 * 24 * 3600_000, true],
  ["w", 7 * 24 * 3600_000, true],
  ["d", 24 * 3600_000, false],
  ["h", 3600_000, false],
  ["m", 60_000, false],
  ["s", 1000, false],
  ["ms", 1, false],
];

/** A duration in milliseconds as Prometheus prints one (model.Duration): 1h30m, 90d, 0s. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.trunc(ms);
  let out = "";
  for (const [unit, mult, exact] of UNITS) {
    if (exact && rest % mult !== 0) continue;
    const v = Math.trunc(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}

/** A float as Go's `%v` prints it (shortest digits; exponent below 1e-4 and from 1e6 up). */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const sign = v < 0 ? "-" : "";
  const [mantissa, expText] = Math.abs(v).toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const digits = mantissa.replace(".", "");
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return sign + int + (frac ? `.${frac}` : "");
}

function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${goQuote(m.value)}`;
}

function formatModifiers(offsetMs: number, at: AtModifier | undefined): string {
  let s = "";
  if (typeof at === "number") s += ` @ ${(at / 1000).toFixed(3)}`;
  else if (at !== undefined) s += ` @ ${at}()`;
  if (offsetMs > 0) s += ` offset ${formatDuration(offsetMs)}`;
  else if (offsetMs < 0) s += ` offset -${formatDuration(-offsetMs)}`;
  return s;
}

function formatSelector(vs: VectorSelector): string {
  const labels = vs.matchers
    // The name written before the braces is not printed again inside them.
    .filter((m) => !(m.name === "__name__" && m.op === "=" && m.value === (vs.name ?? "")))
    .map(formatMatcher)
    .sort();
  const name = vs.name ?? "";
  return labels.length === 0 ? name : `${name}{${labels.join(",")}}`;
}

function formatMatching(m: VectorMatching | undefined): string {
  if (!m || (m.labels.length === 0 && !m.on)) return "";
  let s = ` ${m.on ? "on" : "ignoring"} (${m.labels.join(", ")})`;
  if (m.card === "many-to-one" || m.card === "one-to-many") {
    s += ` group_${m.card === "many-to-one" ? "left" : "right"} (${m.include.join(", ")})`;
  }
  return s;
}

/** Prints an expression as Prometheus 2.42's `String()` does. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case "number":
      return formatGoFloat(e.value);
    case "string":
      return goQuote(e.value);
    case "vectorSelector":
      return formatSelector(e) + formatModifiers(e.offsetMs, e.at);
    case "matrixSelector":
      return (
        `${formatSelector(e.vector)}[${formatDuration(e.rangeMs)}]` +
        formatModifiers(e.vector.offsetMs, e.vector.at)
      );
    case "subquery":
      return (
        `${formatExpr(e.expr)}[${formatDuration(e.rangeMs)}:` +
        `${e.stepMs === undefined ? "" : formatDuration(e.stepMs)}]` +
        formatModifiers(e.offsetMs, e.at)
      );
    case "call":
      return `${e.func}(${e.args.map(formatExpr).join(", ")})`;
    case "aggregate": {
      let s: string = e.op;
      if (e.without) s += ` without (${e.grouping.join(", ")}) `;
      else if (e.grouping.length > 0) s += ` by (${e.grouping.join(", ")}) `;
      const param = e.param ? `${formatExpr(e.param)}, ` : "";
      return `${s}(${param}${formatExpr(e.expr)})`;
    }
    case "binary":
      return (
        `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? " bool" : ""}` +
        `${formatMatching(e.matching)} ${formatExpr(e.rhs)}`
      );
    case "unary":
      return `${e.op}${formatExpr(e.expr)}`;
    case "paren":
      return `(${formatExpr(e.expr)})`;
  }
}
