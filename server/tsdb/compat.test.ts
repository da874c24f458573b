// The differential test: the same generated history goes into a real Prometheus 2.42
// (through promtool's OpenMetrics backfill), into the MemoryQuerier, and into Opsdeck's
// metrics store (through the import command's code), and the same queries are asked
// of all three, at instants and as range queries: of Prometheus and of the store
// through their HTTP APIs' query functions (the same JSON), of the MemoryQuerier
// through the evaluator. Every disagreement is collected and listed; the test fails
// if there is any.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateInstant, evaluateRange, PromQLEvalError } from "@/lib/promql/eval";
import { MemoryQuerier } from "@/lib/promql/memory-querier";
import { parseExpr } from "@/lib/promql/parse";
import type { Labels } from "@/lib/promql/storage";
import { generate } from "@/lib/promql/testdata/generate";
import {
  createBlocks,
  PROMETHEUS_BIN,
  PROMTOOL_BIN,
  startPrometheus,
} from "@/test/prometheus-server";
import { getMetricsDb } from "./db";
import { importOpenMetrics } from "./import";
import { instantQuery, PromApiError, rangeQuery } from "./prom-api";

const installed = fs.existsSync(PROMETHEUS_BIN) && fs.existsSync(PROMTOOL_BIN);
if (!installed && process.env.CI) {
  throw new Error(
    `${PROMETHEUS_BIN} and ${PROMTOOL_BIN} are required on CI (Debian's prometheus package)`,
  );
}
if (!installed) {
  console.warn(`compat.test.ts skipped: ${PROMETHEUS_BIN} or ${PROMTOOL_BIN} is not installed`);
}

// @ times inside the generated history (it starts at 1699999200 s).
const AT = 1_700_003_000;

const QUERIES: string[] = [
  // Selectors, matchers, lookback, offset, @.
  "up",
  'up{job="navi"}',
  'up{instance=~"n.|a1"}',
  'up{instance!~"n.*", job!="node"}',
  '{__name__=~"navi_taps_.*_total", route="a"}',
  "navi_taps_sent_total offset 10m",
  `navi_taps_sent_total @ ${AT}`,
  'node_temperature_celsius{instance="h2"} offset -5m',
  'up{job="navi"} @ start()',
  "up @ end()",
  'up{instance="n3"}',
  "batch_last_success_timestamp_seconds",
  "queue_depth",
  // Range-vector functions.
  "rate(navi_taps_sent_total[5m])",
  "irate(navi_taps_sent_total[1m])",
  "increase(http_requests_total[10m])",
  'increase(navi_taps_sent_total{instance="n2"}[30m])',
  "delta(node_temperature_celsius[15m])",
  "idelta(node_temperature_celsius[5m])",
  "deriv(node_temperature_celsius[20m])",
  "predict_linear(node_temperature_celsius[30m], 3600)",
  "avg_over_time(node_temperature_celsius[10m])",
  "avg_over_time(queue_depth[10m])",
  "min_over_time(queue_depth[10m])",
  "max_over_time(queue_depth[10m])",
  "sum_over_time(navi_taps_sent_total[2m])",
  "count_over_time(up[10m])",
  'count_over_time(up{instance="n3"}[10m])',
  "last_over_time(batch_last_success_timestamp_seconds[10m])",
  "quantile_over_time(0.9, node_temperature_celsius[30m])",
  "stddev_over_time(node_temperature_celsius[30m])",
  "stdvar_over_time(queue_depth[30m])",
  "present_over_time(batch_last_success_timestamp_seconds[5m])",
  "absent_over_time(batch_last_success_timestamp_seconds[5m])",
  'absent_over_time(nonexistent{job="x"}[5m])',
  "changes(queue_depth[30m])",
  "resets(navi_taps_sent_total[1h])",
  "resets(http_requests_total[3h])",
  "holt_winters(node_temperature_celsius[30m], 0.5, 0.3)",
  "rate(http_requests_total[5m] offset 30m)",
  `rate(navi_taps_sent_total[5m] @ ${AT})`,
  // Functions of instant vectors and scalars.
  "abs(node_temperature_celsius)",
  "ceil(node_temperature_celsius) + floor(node_temperature_celsius)",
  "exp(node_temperature_celsius / 10)",
  "ln(queue_depth)",
  "log2(queue_depth + 1)",
  "log10(queue_depth)",
  "sqrt(queue_depth)",
  "round(node_temperature_celsius)",
  "round(node_temperature_celsius, 0.25)",
  "sgn(node_temperature_celsius)",
  "clamp(node_temperature_celsius, -2, 2)",
  "clamp_min(node_temperature_celsius, 0)",
  "clamp_max(queue_depth, 4)",
  "sin(node_temperature_celsius) + cos(node_temperature_celsius) + tan(node_temperature_celsius)",
  "asin(clamp(node_temperature_celsius / 20, -1, 1)) + acos(clamp(node_temperature_celsius / 20, -1, 1))",
  "atan(node_temperature_celsius) + atanh(clamp(node_temperature_celsius / 20, -0.9, 0.9))",
  "sinh(node_temperature_celsius / 10) + cosh(node_temperature_celsius / 10) + tanh(node_temperature_celsius)",
  "asinh(node_temperature_celsius) + acosh(abs(node_temperature_celsius) + 1)",
  "deg(node_temperature_celsius) + rad(node_temperature_celsius) + pi()",
  "time()",
  "timestamp(up)",
  `timestamp(up @ ${AT})`,
  "timestamp(sum(up))",
  "vector(1)",
  "scalar(sum(up))",
  "scalar(up)",
  "minute() + hour() * 100",
  "day_of_month() + day_of_week() * 100 + day_of_year() * 1000",
  "days_in_month() + month() * 100 + year() * 1000",
  "hour(batch_last_success_timestamp_seconds) * 60 + minute(batch_last_success_timestamp_seconds)",
  "absent(nonexistent)",
  "absent(up)",
  'absent(nonexistent{job="a", instance=~"x", job="b", env="prod"})',
  'label_replace(up, "host", "$1-${2}x", "instance", "(.)(.*)")',
  'label_replace(up{job="navi"}, "instance", "", "instance", "n1")',
  'label_replace(up, "foo", "$1", "job", "(.*)")',
  'label_join(up, "job", "", "instance")',
  'label_replace(up, "named", "$name$$", "job", "(?P<name>n.*)")',
  'label_join(up, "id", "/", "job", "instance")',
  "sort(node_temperature_celsius)",
  "sort_desc(rate(http_requests_total[5m]))",
  // Classic histograms.
  "histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))",
  "histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[10m])))",
  "histogram_quantile(0.99, sum by (le, instance) (increase(request_duration_seconds_bucket[1m])))",
  "histogram_quantile(1.5, rate(request_duration_seconds_bucket[5m]))",
  "histogram_quantile(0, rate(request_duration_seconds_bucket[5m]))",
  "rpc_duration_seconds",
  "histogram_count(request_duration_seconds_bucket)",
  "histogram_sum(request_duration_seconds_count)",
  "histogram_fraction(0, 0.1, request_duration_seconds_bucket)",
  "rate(rpc_duration_seconds_sum[5m]) / rate(rpc_duration_seconds_count[5m])",
  // Aggregations.
  "sum(up)",
  "sum by (job) (up)",
  "sum without (instance) (rate(navi_taps_sent_total[5m]))",
  "avg by (job) (node_temperature_celsius)",
  "avg(queue_depth)",
  "min by (job) (rate(http_requests_total[5m]))",
  "max without (route) (navi_taps_sent_total)",
  "count by (job) (up)",
  "group by (job) (up)",
  "stddev(node_temperature_celsius)",
  "stdvar by (code) (rate(http_requests_total[5m]))",
  "topk(2, rate(navi_taps_sent_total[5m]))",
  "bottomk(1, node_temperature_celsius)",
  "topk by (job) (1, up)",
  "quantile(0.5, node_temperature_celsius)",
  "quantile by (job) (0.9, rate(http_requests_total[5m]))",
  'count_values("v", up)',
  'count_values by (job) ("ver", build_info)',
  'sum(count_values("t", round(node_temperature_celsius)))',
  "sum(rate(navi_taps_delivered_total[5m])) / sum(rate(navi_taps_sent_total[5m]))",
  "sum by (instance) (rate(navi_taps_delivered_total[5m])) / sum by (instance) (rate(navi_taps_sent_total[5m]))",
  // Binary operators and matching.
  "navi_taps_delivered_total / navi_taps_sent_total",
  "navi_taps_delivered_total / ignoring(route) group_left sum without (route) (navi_taps_sent_total)",
  "up * on(instance) group_left(version) build_info",
  "build_info * on(job, instance) group_right(version) up",
  'rate(http_requests_total{code="500"}[5m]) / ignoring(code) rate(http_requests_total{code="200"}[5m])',
  "navi_taps_sent_total % 7",
  "2 ^ (up + 1)",
  "node_temperature_celsius ^ 2",
  "node_temperature_celsius atan2 10",
  "-node_temperature_celsius",
  "+up",
  "node_temperature_celsius > 0",
  "node_temperature_celsius > bool 0",
  "0 < node_temperature_celsius",
  "queue_depth == queue_depth",
  "queue_depth != bool 5",
  "up == on(instance) build_info",
  "1 >= bool 2",
  "rate(navi_taps_sent_total[5m]) >= 1",
  "up and on(instance) navi_taps_sent_total",
  'up{job="navi"} or up{job="api"}',
  "up unless on(job) node_temperature_celsius",
  "queue_depth or vector(0)",
  "1 + 2 * 3",
  "time() - 1699999200",
  "scalar(sum(up)) * 2",
  // Subqueries.
  "max_over_time(rate(navi_taps_sent_total[5m])[30m:1m])",
  "avg_over_time(sum(up)[10m:])",
  "min_over_time(node_temperature_celsius[20m:2m] offset 10m)",
  `max_over_time(sum(rate(http_requests_total[1m]))[15m:1m] @ ${AT})`,
  "rate(navi_taps_sent_total[5m:30s])",
  `(up @ ${AT})[10m:1m]`,
  "rate(navi_taps_sent_total[5m:2m])",
  "max_over_time(avg_over_time(up[5m:1m])[20m:5m])",
  // More edges: @ with offset, NaN and infinities through aggregations, short windows.
  `timestamp(up @ ${AT} offset 5m)`,
  "timestamp(node_temperature_celsius offset 5m)",
  `up @ ${AT} offset 1h`,
  "rate(navi_taps_sent_total[5m] @ start())",
  "sum(rate(navi_taps_sent_total[5m] @ end()))",
  "last_over_time(up[5m] offset 1h)",
  "sum(up) by (job)",
  "(up)",
  "abs(-node_temperature_celsius offset 5m)",
  'sum by (__name__) ({__name__=~"navi.*"})',
  'count_values without (instance) ("v", up)',
  'count_values("x", node_temperature_celsius * 1e25)',
  'count_values("x", node_temperature_celsius / 1e9)',
  "quantile(scalar(nonexistent), up)",
  "topk(scalar(count(up)) - 6, up)",
  "bottomk(2, queue_depth)",
  "max(queue_depth)",
  "min(queue_depth)",
  "stddev(queue_depth)",
  "sum_over_time(queue_depth[30m])",
  "delta(queue_depth[10m])",
  "deriv(queue_depth[10m])",
  "predict_linear(node_temperature_celsius[10m] offset 5m, 600)",
  "increase(request_duration_seconds_count[2m])",
  "rate(http_requests_total[30s])",
  "irate(up[15s])",
  "changes(up[3h])",
  'absent_over_time(up{instance="n3"}[2m])',
  "time() - batch_last_success_timestamp_seconds",
  "up or build_info",
  "up and ignoring(version) build_info",
  "navi_taps_sent_total unless navi_taps_delivered_total",
  'histogram_quantile(0.5, request_duration_seconds_bucket{le!="+Inf"})',
  "round(queue_depth, 0)",
  "clamp(up, 2, 1)",
  'scalar(up{instance="n1"})',
  'up{job=~"navi|api"} * on(instance) group_left(version) build_info{version="1.0"}',
  "count(count by (job, instance) (up)) by (job)",
  "holt_winters(queue_depth[10m], 0.1, 0.9)",
  `predict_linear(node_temperature_celsius[10m] @ ${AT}, 600)`,
  "sort(queue_depth)",
  "sort_desc(queue_depth)",
  'count_values("v", queue_depth)',
  "quantile(0.5, queue_depth)",
  "topk(2, queue_depth)",
  "up * on(instance) group_left(nonexistent) build_info",
  "-up + 1",
  "up == bool on(instance) build_info",
  "absent(sum(nonexistent))",
  "absent_over_time(nonexistent[5m:1m])",
  "last_over_time(sum by (job) (up)[10m:1m])",
  "max_over_time(rate(navi_taps_sent_total[5m] offset 5m)[10m:1m])",
  "days_in_month(vector(1709251200)) + day_of_year(vector(1709251200))",
  // Step invariance as 2.42 decides it: an aggregation's parameter is taken at the first
  // step only; a call with a varying argument slides an @ window along the steps.
  `topk(scalar(count(up)) - 6, node_temperature_celsius @ ${AT})`,
  `quantile_over_time(scalar(count(up)) / 10, node_temperature_celsius[10m] @ ${AT})`,
  `predict_linear(node_temperature_celsius[10m:1m] @ ${AT}, 600)`,
  `sum(rate(navi_taps_sent_total[5m] @ ${AT})) + sum(up)`,
];

/** Queries Prometheus answers with nothing at every instant of the test, on purpose. */
const EXPECTED_EMPTY = new Set([
  "absent(up)",
  "histogram_count(request_duration_seconds_bucket)",
  "histogram_sum(request_duration_seconds_count)",
  "histogram_fraction(0, 0.1, request_duration_seconds_bucket)",
  "clamp(up, 2, 1)",
  "navi_taps_sent_total unless navi_taps_delivered_total",
  // 2.42's timestamp() looks at @'s time but the store was read up to @ - offset only.
  `timestamp(up @ ${AT} offset 5m)`,
]);

/** Every range function, aggregation and operator over data with resets, gaps, NaN and ±Inf. */
const SWEEP: string[] = [
  ...[
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "deriv",
    "avg_over_time",
    "sum_over_time",
    "count_over_time",
    "last_over_time",
    "max_over_time",
    "min_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "resets",
    "changes",
    "present_over_time",
  ].flatMap((f) =>
    ["navi_taps_sent_total", "queue_depth", "node_temperature_celsius"].flatMap((m) => [
      `${f}(${m}[1m])`,
      `${f}(${m}[7m])`,
    ]),
  ),
  ...["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"].flatMap((op) => [
    `${op} by (job) (queue_depth)`,
    `${op} without (instance) (node_temperature_celsius)`,
  ]),
  ...["+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=", "<="].flatMap((op) => [
    `navi_taps_delivered_total ${op} navi_taps_sent_total`,
    `queue_depth ${op} 3`,
    `3 ${op} queue_depth`,
  ]),
];

/** Queries that go as instant queries only (a range query refuses a range vector). */
const INSTANT_ONLY: string[] = [
  "navi_taps_sent_total[1m]",
  'up{instance="n1"}[5m] offset 1h',
  "node_temperature_celsius[10m:2m]",
  '"a string"',
  "42",
];

/** Queries both must refuse, with the same errorType. */
const BAD_QUERIES: { query: string; range?: [number, number, number] }[] = [
  { query: "up * on(job) build_info" },
  { query: "up + on(job) sum by (job) (up)" },
  { query: 'rate({__name__=~"navi_taps_.*"}[5m])' },
  { query: "holt_winters(node_temperature_celsius[10m], 2, 0.5)" },
  { query: "topk(1e100, up)" },
  { query: 'count_values("0bad", up)' },
  { query: 'label_replace(up, "x", "y", "job", "(")' },
  { query: 'label_replace(up, "instance", "", "instance", ".*")' },
  { query: '-{__name__=~"up|queue_depth", job="api"}' },
  { query: "sum(" },
  { query: "up[5m]", range: [0, 3600, 60] },
  { query: "up", range: [0, 10 * 365 * 86_400, 1] },
  { query: "up", range: [0, 3600, 0] },
  { query: "up", range: [3600, 0, 60] },
];

type PromValue = [number, string];
type PromResult =
  | {
      status: "success";
      data: { resultType: "vector"; result: { metric: Labels; value: PromValue }[] };
    }
  | {
      status: "success";
      data: { resultType: "matrix"; result: { metric: Labels; values: PromValue[] }[] };
    }
  | { status: "success"; data: { resultType: "scalar" | "string"; result: PromValue } }
  | { status: "error"; errorType: string; error: string };

/** One answer in a comparable form: series by their labels' key, points as [ms, value]. */
interface Answer {
  type: string;
  series: Map<string, [number, number | string][]>;
  order: string[];
}

function key(l: Labels): string {
  return JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function promNumber(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

function fromPrometheus(r: PromResult): Answer | { error: string } {
  if (r.status === "error") {
    // The API names the parameter it refuses; the evaluator's message is the rest.
    if (r.error.startsWith('invalid parameter "query"')) return { error: "bad_data" };
    return { error: `${r.errorType}: ${r.error.replace(/^invalid parameter "\w+": /, "")}` };
  }
  const series = new Map<string, [number, number | string][]>();
  const order: string[] = [];
  const d = r.data;
  const ms = (t: number) => Math.round(t * 1000);
  if (d.resultType === "vector") {
    for (const s of d.result) {
      series.set(key(s.metric), [[ms(s.value[0]), promNumber(s.value[1])]]);
      order.push(key(s.metric));
    }
  } else if (d.resultType === "matrix") {
    for (const s of d.result)
      series.set(
        key(s.metric),
        s.values.map(([t, v]) => [ms(t), promNumber(v)]),
      );
  } else {
    series.set("", [
      [ms(d.result[0]), d.resultType === "string" ? d.result[1] : promNumber(d.result[1])],
    ]);
  }
  return { type: d.resultType, series, order };
}

/** "type: message" for an evaluation error; parse errors by type only (the parser's tests check their wording). */
function errorOf(err: unknown): string {
  if (err instanceof PromQLEvalError) return `${err.errorType}: ${err.message}`;
  if (err instanceof Error && err.name === "PromQLParseError") return "bad_data";
  throw err;
}

function ours(
  query: string,
  time: number | [number, number, number],
  q: MemoryQuerier,
): Answer | { error: string } {
  try {
    const expr = parseExpr(query);
    const series = new Map<string, [number, number | string][]>();
    const order: string[] = [];
    if (Array.isArray(time)) {
      const [start, end, step] = time;
      const r = evaluateRange(expr, q, start, end, step);
      for (const s of r.series)
        series.set(
          key(s.labels),
          s.t.map((t, i) => [t, s.v[i]!]),
        );
      return { type: "matrix", series, order };
    }
    const r = evaluateInstant(expr, q, time);
    if (r.type === "vector") {
      for (const s of r.samples) {
        series.set(key(s.labels), [[r.t, s.v]]);
        order.push(key(s.labels));
      }
    } else if (r.type === "matrix") {
      for (const s of r.series)
        series.set(
          key(s.labels),
          Array.from(s.t, (t, i) => [t, s.v[i]!]),
        );
    } else {
      series.set("", [[r.t, r.v]]);
    }
    return { type: r.type, series, order };
  } catch (err) {
    return { error: errorOf(err) };
  }
}

function same(a: number | string, b: number | string): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  // 1e-9 relative; an absolute 1e-12 for results that should be 0 but are a rounding
  // error away from it on one side.
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) <= 1e-12;
}

/** Every difference between the two answers, as lines for the failure message. */
function differences(
  theirs: Answer | { error: string },
  mine: Answer | { error: string },
  ordered: boolean,
): string[] {
  if ("error" in theirs || "error" in mine) {
    const t = "error" in theirs ? `error ${theirs.error}` : theirs.type;
    const m = "error" in mine ? `error ${mine.error}` : mine.type;
    return t === m ? [] : [`Prometheus: ${t}, ours: ${m}`];
  }
  const out: string[] = [];
  if (theirs.type !== mine.type) out.push(`type: Prometheus ${theirs.type}, ours ${mine.type}`);
  for (const [k, tp] of theirs.series) {
    const mp = mine.series.get(k);
    if (!mp) {
      out.push(
        `${k}: missing from ours (Prometheus ${JSON.stringify(tp.slice(0, 3))}${tp.length > 3 ? "…" : ""})`,
      );
      continue;
    }
    const mt = new Map(mp);
    for (const [t, v] of tp) {
      if (!mt.has(t)) out.push(`${k} @${t}: Prometheus ${v}, ours none`);
      else if (!same(v, mt.get(t)!)) out.push(`${k} @${t}: Prometheus ${v}, ours ${mt.get(t)}`);
    }
    const tt = new Set(tp.map(([t]) => t));
    for (const [t, v] of mp) if (!tt.has(t)) out.push(`${k} @${t}: Prometheus none, ours ${v}`);
  }
  for (const [k, mp] of mine.series) {
    if (!theirs.series.has(k))
      out.push(`${k}: only in ours (${JSON.stringify(mp.slice(0, 3))}${mp.length > 3 ? "…" : ""})`);
  }
  if (ordered && out.length === 0) {
    // sort() and sort_desc(): the same values in the same order (ties may differ in labels).
    const tv = theirs.order.map((k) => theirs.series.get(k)![0]![1]);
    const mv = mine.order.map((k) => mine.series.get(k)![0]![1]);
    if (!tv.every((v, i) => same(v, mv[i]!)))
      out.push(`order: Prometheus ${tv.join(",")}, ours ${mv.join(",")}`);
  }
  return out;
}

async function runPool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe.skipIf(!installed)("PromQL evaluation against Prometheus 2.42", () => {
  const data = generate(42);
  const q = new MemoryQuerier(data.series);
  let dir = "";
  let prom: { url: string; stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-compat-"));
    prom = await startPrometheus({ dataDir: createBlocks(data.openMetrics, dir) });
    const imported = importOpenMetrics(getMetricsDb(), data.openMetrics);
    expect(imported.refused).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function paramsOf(query: string, time: number | [number, number, number]) {
    const params = new URLSearchParams({ query });
    if (Array.isArray(time)) {
      params.set("start", (time[0] / 1000).toFixed(3));
      params.set("end", (time[1] / 1000).toFixed(3));
      params.set("step", `${time[2] / 1000}`);
    } else {
      params.set("time", (time / 1000).toFixed(3));
    }
    return params;
  }

  /** Opsdeck's /api/v1/query and /api/v1/query_range answer, from the store. */
  function opsdeck(query: string, time: number | [number, number, number]): PromResult {
    const params = paramsOf(query, time);
    try {
      const { data } = Array.isArray(time) ? rangeQuery(params) : instantQuery(params);
      return JSON.parse(JSON.stringify({ status: "success", data })) as PromResult;
    } catch (err) {
      if (err instanceof PromApiError)
        return { status: "error", errorType: err.errorType, error: err.message };
      throw err;
    }
  }

  async function ask(query: string, time: number | [number, number, number]): Promise<PromResult> {
    const params = new URLSearchParams({ query });
    let endpoint = "query";
    if (Array.isArray(time)) {
      endpoint = "query_range";
      params.set("start", (time[0] / 1000).toFixed(3));
      params.set("end", (time[1] / 1000).toFixed(3));
      params.set("step", `${time[2] / 1000}`);
    } else {
      params.set("time", (time / 1000).toFixed(3));
    }
    const res = await fetch(`${prom!.url}/api/v1/${endpoint}`, { method: "POST", body: params });
    return (await res.json()) as PromResult;
  }

  // 20 instants across the history, off the scrape grid, plus instants on a sample and
  // exactly one lookback after one (both ends of the lookback window are inclusive).
  const sampleTime = data.series[0]!.t[300]!;
  const instants = [
    data.startMs + 61_000,
    ...Array.from(
      { length: 18 },
      (_, k) => data.startMs + 10 * 60_000 + k * 9.5 * 60_000 + k * 777,
    ),
    sampleTime,
    sampleTime + 5 * 60_000,
  ];
  // Two hours at 1 m, and an hour at an odd step off the minute (subquery alignment).
  const ranges: [number, number, number][] = [
    [data.startMs + 30 * 60_000, data.startMs + 150 * 60_000, 60_000],
    [data.startMs + 61 * 60_000 + 7_000, data.startMs + 121 * 60_000, 37_000],
  ];

  it("answers every query as Prometheus does, at instants and over a range", async () => {
    const problems: string[] = [];
    const jobs: { query: string; time: number | [number, number, number] }[] = [];
    for (const query of [...QUERIES, ...SWEEP]) {
      for (const time of instants) jobs.push({ query, time });
      for (const range of ranges) jobs.push({ query, time: range });
    }
    // A query Prometheus never answers with anything would compare nothing.
    const answered = new Set<string>();
    for (const query of INSTANT_ONLY)
      for (const time of instants.slice(0, 5)) jobs.push({ query, time });
    await runPool(jobs, 4, async ({ query, time }) => {
      const ordered = /^sort/.test(query) && !Array.isArray(time);
      const theirs = fromPrometheus(await ask(query, time));
      if (!("error" in theirs) && theirs.series.size > 0) answered.add(query);
      const at = Array.isArray(time) ? `range ${time.join("..")}` : `at ${time}`;
      for (const [who, mine] of [
        ["evaluator", ours(query, time, q)],
        ["store API", fromPrometheus(opsdeck(query, time))],
      ] as const) {
        const diff = differences(theirs, mine, ordered);
        for (const d of diff.slice(0, 5)) problems.push(`${who}: ${query} ${at}: ${d}`);
        if (diff.length > 5) problems.push(`${who}: ${query} ${at}: …and ${diff.length - 5} more`);
      }
    });
    for (const query of QUERIES) {
      if (answered.has(query) === EXPECTED_EMPTY.has(query)) {
        problems.push(
          `${query}: Prometheus answered ${answered.has(query) ? "something" : "nothing"}`,
        );
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it("refuses the same bad queries with the same errorType", async () => {
    const problems: string[] = [];
    for (const { query, range } of BAD_QUERIES) {
      const time: number | [number, number, number] = range
        ? [data.startMs + range[0] * 1000, data.startMs + range[1] * 1000, range[2] * 1000]
        : instants[5]!;
      const theirs = fromPrometheus(await ask(query, time));
      if (!("error" in theirs)) problems.push(`${query}: Prometheus answered ${theirs.type}`);
      for (const d of differences(theirs, ours(query, time, q), false))
        problems.push(`evaluator: ${query}: ${d}`);
      for (const d of differences(theirs, fromPrometheus(opsdeck(query, time)), false))
        problems.push(`store API: ${query}: ${d}`);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
