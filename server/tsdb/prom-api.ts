import "server-only";
import type { Expr, LabelMatcher } from "@/lib/promql/ast";
import {
  evaluateInstant,
  evaluateRange,
  PromQLEvalError,
  SUPPORTED_FUNCTIONS,
  type InstantResult,
  type RangeResult,
} from "@/lib/promql/eval";
import { formatPromFloat } from "@/lib/promql/format-float";
import { matcherTest } from "@/lib/promql/matcher";
import {
  parseDuration,
  parseExpr,
  parseMetricSelector,
  PromQLParseError,
} from "@/lib/promql/parse";
import type { Labels } from "@/lib/promql/storage";
import type { MetricsConfig } from "@/server/config/metrics-schema";
import { getMetricsDb } from "./db";
import { PromApiError } from "./prom-errors";
import { forwardToDatasource } from "./remote-datasource";

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

/** A time parameter: RFC 3339 or Unix seconds with a fraction, as Prometheus's parseTime. */
export function parseTimeParam(value: string | null, name: string, fallback: number): number {
  if (value === null || value === "") return fallback;
  const seconds = Number(value);
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value) && Number.isFinite(seconds))
    return Math.round(seconds * 1000);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new PromApiError(
    "bad_data",
    `invalid parameter "${name}": cannot parse "${value}" to a valid timestamp`,
  );
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
  const start = parseTimeParam(params.get("start"), "start", NaN);
  const end = parseTimeParam(params.get("end"), "end", NaN);
  if (Number.isNaN(start))
    throw new PromApiError(
      "bad_data",
      'invalid parameter "start": cannot parse "" to a valid timestamp',
    );
  if (Number.isNaN(end))
    throw new PromApiError(
      "bad_data",
      'invalid parameter "end": cannot parse "" to a valid timestamp',
    );
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

/** match[] parameters as selectors (each a bare vector selector). */
export function parseMatchers(params: URLSearchParams, required: boolean): LabelMatcher[][] {
  const all = params.getAll("match[]");
  if (required && all.length === 0)
    throw new PromApiError("bad_data", "no match[] parameter provided");
  return all.map((m) => {
    try {
      const matchers = parseMetricSelector(m);
      if (matchers.every((x) => matcherTest(x)("")))
        throw new PromApiError("bad_data", "match[] must contain at least one non-empty matcher");
      return matchers;
    } catch (err) {
      if (err instanceof PromQLParseError)
        throw new PromApiError("bad_data", `invalid parameter "match[]": ${err.message}`);
      throw err;
    }
  });
}

/** The label sets of every series the selectors match (union, each once). */
export function seriesMatching(selectors: LabelMatcher[][]): Labels[] {
  const seen = new Map<number, Labels>();
  for (const sel of selectors) for (const s of builtin().matchSeries(sel)) seen.set(s.id, s.labels);
  return [...seen.values()];
}

export function labelNames(selectors: LabelMatcher[][]): string[] {
  if (selectors.length === 0) {
    const rows = getMetricsDb()
      .prepare("SELECT DISTINCT name FROM postings ORDER BY name")
      .all() as { name: string }[];
    return rows.map((r) => r.name);
  }
  const names = new Set<string>();
  for (const l of seriesMatching(selectors)) for (const n of Object.keys(l)) names.add(n);
  return [...names].sort();
}

export function labelValues(name: string, selectors: LabelMatcher[][]): string[] {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
    throw new PromApiError("bad_data", `invalid label name: "${name}"`);
  if (selectors.length === 0) {
    const rows = getMetricsDb()
      .prepare("SELECT DISTINCT value FROM postings WHERE name = ? ORDER BY value")
      .all(name) as { value: string }[];
    return rows.map((r) => r.value);
  }
  const values = new Set<string>();
  for (const l of seriesMatching(selectors)) if (l[name] !== undefined) values.add(l[name]);
  return [...values].sort();
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

/** Metric and label names for the query box's completions (at most 10,000 of each). */
export async function vocabulary(
  ds: MetricsConfig["datasource"],
): Promise<{ metricNames: string[]; labelNames: string[] }> {
  const cap = (list: string[]) => list.slice(0, 10_000);
  if (ds.type === "builtin")
    return { metricNames: cap(labelValues("__name__", [])), labelNames: cap(labelNames([])) };
  const read = async (path: string) => {
    try {
      const res = await forwardToDatasource(ds, path, new URLSearchParams());
      const json = (await res.json()) as { data?: unknown };
      return Array.isArray(json.data) ? cap(json.data.filter((x) => typeof x === "string")) : [];
    } catch {
      return [];
    }
  };
  const [metricNames, names] = await Promise.all([
    read("/api/v1/label/__name__/values"),
    read("/api/v1/labels"),
  ]);
  return { metricNames, labelNames: names };
}
