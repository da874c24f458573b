// PromQL printed back the way Prometheus 2.42 prints a parsed expression (its String()
// methods in promql/parser/printer.go): one canonical text per syntax tree, so errors and
// tests can show a query as Prometheus would and a parse can be checked round trip.

import type {
  Aggregate,
  AtModifier,
  Binary,
  Expr,
  LabelMatcher,
  Subquery,
  VectorMatching,
  VectorSelector,
} from "./ast";
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

function subquerySuffix(e: Subquery): string {
  const step = e.stepMs === undefined ? "" : formatDuration(e.stepMs);
  return `[${formatDuration(e.rangeMs)}:${step}]${formatModifiers(e.offsetMs, e.at)}`;
}

function aggregateHead(e: Aggregate): string {
  if (e.without) return `${e.op} without (${e.grouping.join(", ")}) `;
  if (e.grouping.length > 0) return `${e.op} by (${e.grouping.join(", ")}) `;
  return e.op;
}

function binaryOperator(e: Binary): string {
  return `${e.op}${e.returnBool ? " bool" : ""}${formatMatching(e.matching)}`;
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
      return formatExpr(e.expr) + subquerySuffix(e);
    case "call":
      return `${e.func}(${e.args.map(formatExpr).join(", ")})`;
    case "aggregate": {
      const param = e.param ? `${formatExpr(e.param)}, ` : "";
      return `${aggregateHead(e)}(${param}${formatExpr(e.expr)})`;
    }
    case "binary":
      return `${formatExpr(e.lhs)} ${binaryOperator(e)} ${formatExpr(e.rhs)}`;
    case "unary":
      return `${e.op}${formatExpr(e.expr)}`;
    case "paren":
      return `(${formatExpr(e.expr)})`;
  }
}

const MAX_LINE = 100;
const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/**
 * Prints an expression as Prometheus 2.42's Prettify does (/api/v1/format_query): a
 * part longer than 100 bytes on one line is split, its operands indented two spaces a
 * level; shorter parts print as formatExpr.
 */
export function prettyExpr(e: Expr): string {
  return pretty(e, 0);
}

function pretty(e: Expr, level: number): string {
  const indent = "  ".repeat(level);
  const flat = formatExpr(e);
  const fits = utf8Length(flat) <= MAX_LINE;
  switch (e.kind) {
    case "aggregate": {
      if (fits) return indent + flat;
      const param = e.param ? `${pretty(e.param, level + 1)},\n` : "";
      return `${indent}${aggregateHead(e)}(\n${param}${pretty(e.expr, level + 1)}\n${indent})`;
    }
    case "binary":
      if (fits) return indent + flat;
      return `${pretty(e.lhs, level + 1)}\n${indent}${binaryOperator(e)}\n${pretty(e.rhs, level + 1)}`;
    case "call": {
      if (fits) return indent + flat;
      const args = e.args.map((a) => pretty(a, level + 1)).join(",\n");
      return `${indent}${e.func}(\n${args}\n${indent})`;
    }
    case "paren":
      if (fits) return indent + flat;
      return `${indent}(\n${pretty(e.expr, level + 1)}\n${indent})`;
    case "subquery":
      // Prometheus does not indent a subquery that fits.
      if (fits) return flat;
      return pretty(e.expr, level) + subquerySuffix(e);
    case "unary":
      return `${indent}${e.op}${pretty(e.expr, level).trim()}`;
    default:
      return indent + flat;
  }
}
