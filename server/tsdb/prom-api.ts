import "server-only";
import type { Expr } from "@/lib/promql/ast";
import {
  evaluateInstant,
  evaluateRange,
  PromQLEvalError,
  SUPPORTED_FUNCTIONS,
  type InstantResult,
  type RangeResult,
} from "@/lib/promql/eval";
import { formatPromFloat } from "@/lib/promql/format-float";
import {
  parseDuration,
  parseExpr,
  PromQLParseError,
  roundHalfAwayFromZero,
} from "@/lib/promql/parse";
import { getMetricsDb } from "./db";
import { PromApiError } from "./prom-errors";

export { PromApiError, promError, promSuccess } from "./prom-errors";
import { TsdbQuerier } from "./querier";
import type { Resolution } from "./resolution";

// Prometheus's HTTP API (/api/v1/*) over the built-in store: its parameters, its JSON,
// its error types and status codes, so Grafana and promtool speak to Opsdeck unchanged.

/** Prometheus's limit on a range query's points per series. */
export const MAX_POINTS = 11_000;
/** A query runs at most this long (Prometheus's --query.timeout default). */
export const QUERY_TIMEOUT_MS = 120_000;
/** Samples one query may hold (Prometheus's --query.max-samples default). */
export const MAX_SAMPLES = 50_000_000;

/** What Prometheus's clients send for "no bound" (Go can format these years, not parse them). */
const OPEN_TIMES: Record<string, number> = {
  "-292273086-05-16T16:47:06Z": -Infinity,
  "292277025-08-18T07:12:54.999999999Z": Infinity,
};

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * A timestamp as Prometheus's parseTime reads one, in ms: Unix seconds with a fraction
 * (the fraction rounded to the millisecond as Go does it, halves away from zero, apart
 * from the whole seconds: 1699999200.0005 is a fraction of 0.49996… ms as a double, so
 * …200000 ms, where x * 1000 would round to …200001), or RFC 3339 with at most nine
 * fractional digits (truncated to the millisecond), or the bounds Prometheus's clients
 * send for an open range. Undefined for anything else, a 30 February included.
 */
export function parseTime(value: string): number | undefined {
  if (DECIMAL.test(value)) {
    const x = Number(value);
    if (!Number.isFinite(x)) return undefined;
    let seconds = Math.trunc(x);
    const fraction = roundHalfAwayFromZero((x - seconds) * 1000) / 1000;
    let ns = Math.trunc(fraction * 1e9);
    if (ns < 0) {
      seconds -= 1;
      ns += 1e9;
    } else if (ns >= 1e9) {
      seconds += 1;
      ns -= 1e9;
    }
    return seconds * 1000 + Math.trunc(ns / 1e6);
  }
  if (value in OPEN_TIMES) return OPEN_TIMES[value];
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m
    .slice(1, 7)
    .map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const lastDay = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (lastDay === undefined || day < 1 || day > lastDay) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC reads years below 100 as 19xx; setUTCFullYear takes them as they are.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year, month - 1, day);
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  const offset = m[8] ? (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
  return date.getTime() + ms - offset * 60_000;
}

/** start, end and the query's time: RFC 3339 or Unix seconds, as Prometheus's parseTimeParam. */
export function parseTimeParam(value: string | null, name: string, fallback: number): number {
  if (value === null || value === "") return fallback;
  const t = parseTime(value);
  if (t === undefined)
    throw new PromApiError(
      "bad_data",
      `invalid parameter "${name}": invalid time value for '${name}': cannot parse ${JSON.stringify(value)} to a valid timestamp`,
    );
  return t;
}

/** query_range's start and end, which Prometheus reads with parseTime alone (both required). */
function requiredTime(value: string | null, name: string): number {
  const t = value === null ? undefined : parseTime(value);
  if (t === undefined)
    throw new PromApiError(
      "bad_data",
      `invalid parameter "${name}": cannot parse ${JSON.stringify(value ?? "")} to a valid timestamp`,
    );
  return t;
}

/** A duration parameter (step, timeout): seconds with a fraction, or 5m, 1h30m … */
export function parseDurationParam(value: string, name: string): number {
  const seconds = Number(value);
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value) && Number.isFinite(seconds)) {
    const ms = Math.round(seconds * 1000);
    if (ms > Number.MAX_SAFE_INTEGER)
      throw new PromApiError(
        "bad_data",
        `invalid parameter "${name}": cannot parse "${value}" to a valid duration. It overflows int64`,
      );
    return ms;
  }
  try {
    return parseDuration(value);
  } catch {
    throw new PromApiError(
      "bad_data",
      `invalid parameter "${name}": cannot parse "${value}" to a valid duration`,
    );
  }
}

/** Parses a query, refusing what the evaluator cannot answer by name, with its position. */
export function parseQuery(query: string | null): Expr {
  if (query === null || query.trim() === "")
    throw new PromApiError(
      "bad_data",
      'invalid parameter "query": unknown position: parse error: no expression found in input',
    );
  try {
    const expr = parseExpr(query);
    const unsupported = findUnsupported(expr);
    if (unsupported)
      throw new PromApiError(
        "bad_data",
        `invalid parameter "query": function "${unsupported}" is not supported by Opsdeck's built-in store`,
      );
    return expr;
  } catch (err) {
    if (err instanceof PromQLParseError)
      throw new PromApiError("bad_data", `invalid parameter "query": ${err.message}`);
    throw err;
  }
}

function findUnsupported(e: Expr): string | undefined {
  switch (e.kind) {
    case "call":
      if (!SUPPORTED_FUNCTIONS.has(e.func)) return e.func;
      for (const a of e.args) {
        const f = findUnsupported(a);
        if (f) return f;
      }
      return undefined;
    case "aggregate":
      return findUnsupported(e.expr) ?? (e.param ? findUnsupported(e.param) : undefined);
    case "binary":
      return findUnsupported(e.lhs) ?? findUnsupported(e.rhs);
    case "unary":
    case "paren":
    case "subquery":
      return findUnsupported(e.expr);
    default:
      return undefined;
  }
}

function evalError(err: unknown): never {
  if (err instanceof PromQLEvalError) throw new PromApiError(err.errorType, err.message);
  throw err;
}

const seconds = (ms: number) => ms / 1000;

function formatInstant(r: InstantResult) {
  switch (r.type) {
    case "scalar":
      return { resultType: "scalar", result: [seconds(r.t), formatPromFloat(r.v)] };
    case "string":
      return { resultType: "string", result: [seconds(r.t), r.v] };
    case "vector":
      return {
        resultType: "vector",
        result: r.samples.map((s) => ({
          metric: s.labels,
          value: [seconds(r.t), formatPromFloat(s.v)],
        })),
      };
    case "matrix":
      return {
        resultType: "matrix",
        result: r.series.map((s) => ({
          metric: s.labels,
          values: Array.from(s.t, (t, i) => [seconds(t), formatPromFloat(s.v[i]!)]),
        })),
      };
  }
}

function formatRange(r: RangeResult) {
  return {
    resultType: "matrix",
    result: r.series.map((s) => ({
      metric: s.labels,
      values: s.t.map((t, i) => [seconds(t), formatPromFloat(s.v[i]!)]),
    })),
  };
}

let querier: TsdbQuerier | undefined;
function builtin(): TsdbQuerier {
  querier ??= new TsdbQuerier(getMetricsDb());
  return querier;
}

/** The coarsest resolution the answer was read at, and the time it took. */
export type QueryTiming = { resolution: Resolution; serverMs: number };

/** GET|POST /api/v1/query over the built-in store (or `q`: a benchmark's). */
export function instantQuery(params: URLSearchParams, now = Date.now(), q = builtin()) {
  const expr = parseQuery(params.get("query"));
  const time = parseTimeParam(params.get("time"), "time", now);
  const timeout = timeoutOf(params);
  const started = performance.now();
  q.startEvaluation();
  try {
    const r = evaluateInstant(expr, q, time, {
      maxSamples: MAX_SAMPLES,
      deadline: Date.now() + timeout,
    });
    return { data: formatInstant(r), timing: timing(started, q) };
  } catch (err) {
    evalError(err);
  }
}

/** GET|POST /api/v1/query_range over the built-in store (or `q`: a benchmark's). */
export function rangeQuery(params: URLSearchParams, q = builtin()) {
  const expr = parseQuery(params.get("query"));
  const start = requiredTime(params.get("start"), "start");
  const end = requiredTime(params.get("end"), "end");
  if (end < start)
    throw new PromApiError(
      "bad_data",
      'invalid parameter "end": end timestamp must not be before start time',
    );
  const stepText = params.get("step");
  if (!stepText)
    throw new PromApiError(
      "bad_data",
      'invalid parameter "step": cannot parse "" to a valid duration',
    );
  const step = parseDurationParam(stepText, "step");
  if (step <= 0)
    throw new PromApiError(
      "bad_data",
      'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  if ((end - start) / step > MAX_POINTS)
    throw new PromApiError(
      "bad_data",
      "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
    );
  const timeout = timeoutOf(params);
  const started = performance.now();
  q.startEvaluation();
  try {
    const r = evaluateRange(expr, q, start, end, step, {
      maxSamples: MAX_SAMPLES,
      deadline: Date.now() + timeout,
    });
    return { data: formatRange(r), timing: timing(started, q) };
  } catch (err) {
    evalError(err);
  }
}

function timeoutOf(params: URLSearchParams): number {
  const t = params.get("timeout");
  if (!t) return QUERY_TIMEOUT_MS;
  return Math.min(QUERY_TIMEOUT_MS, parseDurationParam(t, "timeout"));
}

function timing(started: number, q: TsdbQuerier): QueryTiming {
  const serverMs = Math.round((performance.now() - started) * 100) / 100;
  return { resolution: q.resolution, serverMs };
}

export function metadata(
  metric: string | null,
  limit: number,
): Record<string, { type: string; help: string; unit: string }[]> {
  const rows = (
    metric
      ? getMetricsDb()
          .prepare("SELECT name, type, help, unit FROM metadata WHERE name = ?")
          .all(metric)
      : getMetricsDb().prepare("SELECT name, type, help, unit FROM metadata ORDER BY name").all()
  ) as { name: string; type: string; help: string; unit: string }[];
  const out: Record<string, { type: string; help: string; unit: string }[]> = {};
  for (const r of rows.slice(0, limit >= 0 ? limit : undefined))
    out[r.name] = [{ type: r.type, help: r.help, unit: r.unit }];
  return out;
}
