// Grafana's Prometheus data source, replayed: the requests it sends to a Prometheus server
// when it is added ("Save & test"), when a query editor opens, in the metrics browser, when
// a query runs in Explore, for dashboard variables, and for Grafana Alerting — methods,
// form bodies, parameters and headers exactly as Grafana's source builds them — sent to
// Opsdeck's route handlers over a metrics.db with a few series, each answer read the way
// Grafana's code reads it. Where Debian's Prometheus 2.42 is installed, the same requests
// go to it too, over the same history, and the answers must agree.
//
// Read from grafana/grafana-prometheus-datasource at 1f9b322 (2026-08-07; plugin 13.1.7,
// @grafana/prometheus 13.1.12): the plugin Grafana 12.3+ runs, and the code Grafana core
// takes (packages/grafana-prometheus = the frontend, pkg/promlib = the backend); and
// grafana/grafana for Grafana Alerting. Paths below are in those repositories.

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as alertsRoute from "@/app/api/v1/alerts/route";
import * as labelValuesRoute from "@/app/api/v1/label/[name]/values/route";
import * as labelsRoute from "@/app/api/v1/labels/route";
import * as metadataRoute from "@/app/api/v1/metadata/route";
import * as exemplarsRoute from "@/app/api/v1/query_exemplars/route";
import * as queryRoute from "@/app/api/v1/query/route";
import * as rangeRoute from "@/app/api/v1/query_range/route";
import * as rulesRoute from "@/app/api/v1/rules/route";
import * as seriesRoute from "@/app/api/v1/series/route";
import * as buildinfoRoute from "@/app/api/v1/status/buildinfo/route";
import { bundleEngine } from "@/scripts/engine-bundle.mjs";
import { freshDb } from "@/test/db";
import { BASIC, BEARER, callRoute, installMetricsToken } from "@/test/metrics-api";
import {
  hasPrometheus,
  PROMTOOL_BIN,
  startPrometheusWithHistory,
  type PrometheusServer,
} from "@/test/prometheus-server";
import { getMetricsDb } from "./db";
import { importOpenMetrics } from "./import";

// A metrics.db of this file's own (tests share the configured data directory otherwise),
// set before env.ts is first imported; the query worker shares this environment.
await vi.hoisted(async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  process.env.OPSDECK_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-grafana-"));
});
vi.mock("@/server/auth/session", () => ({ getSessionUser: async () => null }));

const withPrometheus = hasPrometheus() && fs.existsSync(PROMTOOL_BIN);
if (!withPrometheus && process.env.CI)
  throw new Error("Prometheus and promtool are required on CI (Debian's prometheus package)");

// ---- The history: two hours at 15 s, ending at T_END (seconds) ----------------------------

const T_END = 1_750_000_000;
const POINTS = 481;
const tAt = (i: number) => T_END - 7200 + 15 * i;

function history(): string {
  const out = ["# TYPE http_requests counter", "# HELP http_requests Requests served."];
  const counters: [string, number][] = [
    ['code="200",instance="a:9100",job="api"', 3],
    ['code="500",instance="a:9100",job="api"', 1],
    ['code="200",instance="b:9100",job="api"', 2],
  ];
  for (const [labels, perScrape] of counters)
    for (let i = 0; i < POINTS; i++)
      out.push(`http_requests_total{${labels}} ${perScrape * i} ${tAt(i)}`);
  out.push(
    "# TYPE process_resident_memory_bytes gauge",
    "# UNIT process_resident_memory_bytes bytes",
    "# HELP process_resident_memory_bytes Resident memory.",
  );
  for (let i = 0; i < POINTS; i++)
    out.push(
      `process_resident_memory_bytes{instance="a:9100",job="api"} ${1e8 + 4096 * i} ${tAt(i)}`,
    );
  out.push(
    "# TYPE http_request_duration_seconds histogram",
    "# HELP http_request_duration_seconds Request latency.",
  );
  // Ten requests a scrape: six within 0.1 s, three more within 0.5 s, one slower.
  for (let i = 0; i < POINTS; i++) {
    const l = 'instance="a:9100",job="api"';
    out.push(
      `http_request_duration_seconds_bucket{${l},le="0.1"} ${6 * i} ${tAt(i)}`,
      `http_request_duration_seconds_bucket{${l},le="0.5"} ${9 * i} ${tAt(i)}`,
      `http_request_duration_seconds_bucket{${l},le="+Inf"} ${10 * i} ${tAt(i)}`,
      `http_request_duration_seconds_count{${l}} ${10 * i} ${tAt(i)}`,
      `http_request_duration_seconds_sum{${l}} ${2.5 * i} ${tAt(i)}`,
    );
  }
  out.push("# EOF", "");
  return out.join("\n");
}

// ---- What Grafana sends ------------------------------------------------------------------

/** Explore's "Last 1 hour", at a "now" 123 ms past the last sample. */
const NOW_MS = T_END * 1000 + 123;
const FROM_MS = NOW_MS - 3_600_000;

// Frontend resource calls snap the range to the cache level's minute (default "Low": 1 min):
// packages/grafana-prometheus/src/language_utils.ts:350-390 (getRangeSnapInterval,
// getPrometheusTime: whole seconds, rounded up).
const promTime = (ms: number) => Math.ceil(ms / 1000);
const SNAP_START = String(Math.floor(promTime(FROM_MS) / 60) * 60);
const SNAP_END = String(Math.ceil(promTime(NOW_MS) / 60) * 60);

// Backend queries: the step is the data source's scrape interval (15 s default; 1 h over
// ~1,000 points is less), start and end aligned down to it (pkg/promlib/models/query.go:
// 314-321, 503-507), times as Go's FormatFloat of seconds (client/client.go:206-208), and
// $__rate_interval = max(step + scrape interval, 4 × scrape interval) = 60 s, written by
// Go's time.Duration.String() as "1m0s" (models/query.go:421-438, 447-485).
const STEP = 15;
const RANGE_START = String(Math.floor(FROM_MS / 1000 / STEP) * STEP);
const RANGE_END = String(Math.floor(NOW_MS / 1000 / STEP) * STEP);
const RATE_INTERVAL = "1m0s";
const EXPLORE_EXPR = `sum by (code) (rate(http_requests_total{job="api"}[${RATE_INTERVAL}]))`;

/** Go's url.Values.Encode: keys sorted, url.QueryEscape (space as +; only A-Za-z0-9-_.~ left as they are). */
function goForm(values: Record<string, string>): string {
  const esc = (s: string) =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, "+");
  return Object.keys(values)
    .sort()
    .map((k) => `${esc(k)}=${esc(values[k]!)}`)
    .join("&");
}

/**
 * The frontend's encoding, in its parameter order: datasource.ts:277-330 (_request) joins
 * encodeURIComponent pairs for GET; a POST's object is sent as a form in the same order.
 * Grafana's backend passes either on unchanged (pkg/promlib/client/client.go:92-142).
 */
const frontendForm = (values: [string, string][]) =>
  values.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

/** What Grafana's backend adds to every request it makes (client/transport.go:36-41). */
const GRAFANA_HEADERS = { "accept-encoding": "gzip", "x-grafana-org-id": "1" };

type Step = {
  /** Who sends it, and where in Grafana's source. */
  why: string;
  method: "GET" | "POST";
  path: string;
  form?: string;
  headers?: Record<string, string>;
  /** Prometheus 2.42 answers this differently by design (said in `why`); not compared. */
  opsdeckOnly?: true;
};

const STEPS: Step[] = [
  {
    why: 'Save & test — the health check: an instant query "1+1" between 1 and 4 s, by POST (the default httpMethod), here with Basic auth; pkg/promlib/healthcheck.go:56-92, client/client.go:57-74, 144-204, models/settings.go:81-86',
    method: "POST",
    path: "/api/v1/query",
    form: goForm({ query: "1+1", time: "4" }),
    headers: { ...BASIC, "content-type": "application/x-www-form-urlencoded" },
  },
  {
    why: "Save & test — the heuristics: build info by GET, features decide Prometheus or Mimir; pkg/promlib/heuristics.go:50-114 (Opsdeck's own build info: not compared)",
    method: "GET",
    path: "/api/v1/status/buildinfo",
    opsdeckOnly: true,
  },
  {
    why: "A query editor opens — recording rules, by GET; packages/grafana-prometheus/src/datasource.ts:163-180",
    method: "GET",
    path: "/api/v1/rules",
  },
  {
    why: "A query editor opens — are exemplars available? start and end in milliseconds, by POST ('api/v1/query' is a prefix of it); datasource.ts:190-205, 341-370, constants.ts:41-47",
    method: "POST",
    path: "/api/v1/query_exemplars",
    form: frontendForm([
      ["query", "test"],
      ["start", String(NOW_MS - 1_800_000)],
      ["end", String(NOW_MS)],
    ]),
  },
  {
    why: "A query editor opens — metric names, by GET (label values are GET only); language_provider.ts:167-175, resource_clients.ts:113-122, 163-184",
    method: "GET",
    path: `/api/v1/label/__name__/values?${frontendForm([
      ["limit", "40000"],
      ["start", SNAP_START],
      ["end", SNAP_END],
    ])}`,
  },
  {
    why: "A query editor opens — label names, by POST; resource_clients.ts:133-152",
    method: "POST",
    path: "/api/v1/labels",
    form: frontendForm([
      ["limit", "40000"],
      ["start", SNAP_START],
      ["end", SNAP_END],
    ]),
  },
  {
    why: "A query editor opens — metadata, by GET (Prometheus 2.42 has none for backfilled blocks: not compared); language_provider.ts:183-195",
    method: "GET",
    path: "/api/v1/metadata?limit=40000",
    opsdeckOnly: true,
  },
  ...metricsBrowser("http_requests_total{}", "code"),
  ...metricsBrowser('http_requests_total{job="api"}', "instance"),
  {
    why: `Explore runs "${EXPLORE_EXPR.replace(RATE_INTERVAL, "$__rate_interval")}" — the range query; pkg/promlib/client/client.go:37-55, querydata/request.go:126-180`,
    method: "POST",
    path: "/api/v1/query_range",
    form: goForm({ query: EXPLORE_EXPR, start: RANGE_START, end: RANGE_END, step: String(STEP) }),
    headers: { "x-dashboard-uid": "", "x-panel-id": "" },
  },
  {
    why: "Explore runs it — the instant query (Query type: Both), at the range's unaligned end; client/client.go:57-74",
    method: "POST",
    path: "/api/v1/query",
    form: goForm({ query: EXPLORE_EXPR, time: String(NOW_MS / 1000) }),
  },
  {
    why: "Explore runs it — exemplars (toggle on), over the aligned range; client/client.go:76-90",
    method: "POST",
    path: "/api/v1/query_exemplars",
    form: goForm({ query: EXPLORE_EXPR, start: RANGE_START, end: RANGE_END }),
  },
  {
    why: "A dashboard variable label_values(http_requests_total, instance); metric_find_query.ts:46-80",
    method: "GET",
    path: `/api/v1/label/instance/values?${frontendForm([
      ["limit", "40000"],
      ["start", SNAP_START],
      ["end", SNAP_END],
      ["match[]", "http_requests_total"],
    ])}`,
  },
  {
    why: "A dashboard variable query_result(count by (code) (http_requests_total)); metric_find_query.ts:91-128",
    method: "POST",
    path: "/api/v1/query",
    form: frontendForm([
      ["query", "count by (code) (http_requests_total)"],
      ["time", String(promTime(NOW_MS))],
    ]),
  },
  {
    why: 'A dashboard variable of a bare selector, http_requests_total{code="500"}: series; metric_find_query.ts:130-144',
    method: "POST",
    path: "/api/v1/series",
    form: frontendForm([
      ["match[]", 'http_requests_total{code="500"}'],
      ["start", String(promTime(FROM_MS))],
      ["end", String(promTime(NOW_MS))],
    ]),
  },
  {
    why: "Grafana Alerting lists the data source's rules and one group, by GET through Grafana's server; grafana/grafana public/app/features/alerting/unified/api/prometheus.ts (fetchRules), pkg/services/ngalert/api/lotex_prom.go",
    method: "GET",
    path: "/api/v1/rules?file=ns&rule_group=g",
  },
  {
    why: "Grafana Alerting's alert statuses, by GET; pkg/services/ngalert/api/lotex_prom.go (RouteGetAlertStatuses)",
    method: "GET",
    path: "/api/v1/alerts",
  },
];

/**
 * The metrics browser after a metric (and maybe a label value) is picked: the metrics, label
 * names and a selected label's values under that selector. Its unfiltered first calls are
 * answered from the language provider's cache of the calls above.
 * components/metrics-browser/useMetricsLabelsValues.ts:92-153, selectorBuilder.ts:10-48.
 */
function metricsBrowser(selector: string, labelKey: string): Step[] {
  const params = (): [string, string][] => [
    ["limit", "40000"],
    ["start", SNAP_START],
    ["end", SNAP_END],
    ["match[]", selector],
  ];
  const why = `The metrics browser, selector ${selector}`;
  return [
    {
      why: `${why} — metrics`,
      method: "GET",
      path: `/api/v1/label/__name__/values?${frontendForm(params())}`,
    },
    {
      why: `${why} — label names`,
      method: "POST",
      path: "/api/v1/labels",
      form: frontendForm(params()),
    },
    {
      why: `${why} — ${labelKey}'s values`,
      method: "GET",
      path: `/api/v1/label/${labelKey}/values?${frontendForm(params())}`,
    },
  ];
}

// ---- Sending it ----------------------------------------------------------------------------

type RouteModule = Record<string, unknown>;
const ROUTES: [RegExp, RouteModule][] = [
  [/^\/api\/v1\/query$/, queryRoute],
  [/^\/api\/v1\/query_range$/, rangeRoute],
  [/^\/api\/v1\/query_exemplars$/, exemplarsRoute],
  [/^\/api\/v1\/labels$/, labelsRoute],
  [/^\/api\/v1\/label\/[^/]+\/values$/, labelValuesRoute],
  [/^\/api\/v1\/series$/, seriesRoute],
  [/^\/api\/v1\/metadata$/, metadataRoute],
  [/^\/api\/v1\/status\/buildinfo$/, buildinfoRoute],
  [/^\/api\/v1\/rules$/, rulesRoute],
  [/^\/api\/v1\/alerts$/, alertsRoute],
];

type Answer = { status: number; body: string };

async function toOpsdeck(step: Step): Promise<Answer> {
  const pathname = step.path.split("?")[0]!;
  const mod = ROUTES.find(([re]) => re.test(pathname))?.[1];
  const handler = mod?.[step.method] as Parameters<typeof callRoute>[0] | undefined;
  // Next.js answers a method a route does not export with 405, as Prometheus does.
  if (!handler) return { status: mod ? 405 : 404, body: "" };
  const res = await callRoute(handler, step.path, {
    method: step.method,
    headers: { ...BEARER, ...GRAFANA_HEADERS, ...step.headers },
    form: step.form,
  });
  return { status: res.status, body: await res.text() };
}

async function toPrometheus(prom: PrometheusServer, step: Step): Promise<Answer> {
  const headers: Record<string, string> = { ...GRAFANA_HEADERS };
  if (step.form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  const res = await fetch(`${prom.url}${step.path}`, {
    method: step.method,
    headers,
    body: step.form,
  });
  return { status: res.status, body: await res.text() };
}

// ---- Reading it as Grafana does ----------------------------------------------------------

/** A value string Go's strconv.ParseFloat takes (pkg/promlib/converter/prom.go:895-905). */
const GO_FLOAT = /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$/i;

type Series = { labels: Record<string, string>; points: [number, number][] };
type QueryFrames = { resultType: string; series: Series[]; notices: string[] };

function pair(p: unknown): [number, number] {
  expect(Array.isArray(p) && p.length === 2, JSON.stringify(p)).toBe(true);
  const [t, v] = p as [unknown, unknown];
  expect(typeof t).toBe("number");
  expect(typeof v === "string" && GO_FLOAT.test(v), `value ${JSON.stringify(v)}`).toBe(true);
  return [
    Math.round((t as number) * 1000),
    Number(String(v).replace(/^([+-]?)inf$/i, "$1Infinity")),
  ];
}

function labelSet(m: unknown): Record<string, string> {
  expect(typeof m === "object" && m !== null && !Array.isArray(m)).toBe(true);
  for (const v of Object.values(m as object)) expect(typeof v).toBe("string");
  return m as Record<string, string>;
}

/**
 * A query answer as promlib reads it: the statuses it parses (querydata/response.go:32-101;
 * others are "unexpected response"), the envelope (converter/prom.go:31-117: status, data,
 * error, errorType, warnings, infos; other keys read and ignored), and data by resultType
 * (prom.go:162-337, 552-758: [seconds, "value"] pairs, labels as strings).
 */
function readQuery(a: Answer): QueryFrames {
  expect([200, 400, 422, 503], a.body).toContain(a.status);
  const body = JSON.parse(a.body) as Record<string, unknown>;
  expect(body.status, a.body).toBe("success");
  const notices = [...((body.warnings as string[]) ?? []), ...((body.infos as string[]) ?? [])];
  for (const n of notices) expect(typeof n).toBe("string");
  const data = body.data as { resultType: unknown; result: unknown };
  expect(typeof data.resultType).toBe("string");
  const resultType = data.resultType as string;
  if (resultType === "scalar" || resultType === "string") {
    const [t, v] = data.result as [number, string];
    return { resultType, series: [{ labels: {}, points: [pair([t, v])] }], notices };
  }
  expect(["matrix", "vector"]).toContain(resultType);
  const series = (data.result as Record<string, unknown>[]).map((r) => ({
    labels: labelSet(r.metric),
    points: resultType === "vector" ? [pair(r.value)] : (r.values as unknown[]).map(pair),
  }));
  return { resultType, series, notices };
}

/** A resource call as the frontend reads it: non-2xx throws (backendSrv), then `res.data.data`. */
function readResource(a: Answer): unknown {
  expect(a.status, a.body).toBe(200);
  const body = JSON.parse(a.body) as { status: string; data: unknown };
  expect(body.status).toBe("success");
  return body.data;
}

/** pkg/promlib/heuristics.go:94-114: no features in the build info is Prometheus, else Mimir. */
function heuristics(a: Answer) {
  expect(a.status).toBe(200);
  const info = JSON.parse(a.body) as { data: { features?: Record<string, string> } };
  const mimir = Object.keys(info.data.features ?? {}).length > 0;
  return { application: mimir ? "Mimir" : "Prometheus", features: { rulerApiEnabled: mimir } };
}

const sorted = (list: unknown) => [...(list as unknown[]).map((x) => JSON.stringify(x))].sort();

// ---- The tests ---------------------------------------------------------------------------

const answers = new Map<Step, Answer>();

beforeAll(async () => {
  // The bundle the query routes run in their worker, as `npm run dev` makes it; renamed into
  // place so a test file bundling it at the same time never sees half a file.
  const dir = path.join(process.cwd(), "node_modules", ".cache", "opsdeck");
  const tmp = path.join(dir, `query.${process.pid}.mjs`);
  await bundleEngine({ entry: "server/tsdb/query-worker.ts", outfile: tmp, sourcemap: "inline" });
  fs.renameSync(tmp, path.join(dir, "query.mjs"));
  freshDb();
  installMetricsToken();
  const imported = importOpenMetrics(getMetricsDb(), history());
  expect(imported).toEqual({ samples: POINTS * 9, series: 9, refused: 0, families: 3 });
  for (const step of STEPS) answers.set(step, await toOpsdeck(step));
}, 60_000);

const answer = (i: number) => answers.get(STEPS[i]!)!;

describe("Grafana's Prometheus data source against Opsdeck", () => {
  it("every request gets an answer Grafana parses, none a 4xx or 5xx", () => {
    const statuses = STEPS.map(
      (s) => `${s.method} ${s.path.split("?")[0]} ${answers.get(s)!.status}`,
    );
    expect(statuses.filter((s) => !/ 200$/.test(s))).toEqual([]);
  });

  it('Save & test: "1+1" is the scalar 2 at 4 s, and the build info says Prometheus without a ruler API', () => {
    // The health check passes when this parses without an error (healthcheck.go:77-91).
    expect(readQuery(answer(0))).toEqual({
      resultType: "scalar",
      series: [{ labels: {}, points: [[4000, 2]] }],
      notices: [],
    });
    expect(heuristics(answer(1))).toEqual({
      application: "Prometheus",
      features: { rulerApiEnabled: false },
    });
    expect(JSON.parse(answer(1).body).data.version).toBe("2.42.0");
  });

  it("the query editor's start: no rules, exemplars answered, metric and label names, metadata", () => {
    expect(readResource(answer(2))).toEqual({ groups: [] });
    // datasource.ts:199: exemplars count as available when this says success.
    expect(readResource(answer(3))).toEqual([]);
    expect(readResource(answer(4))).toEqual([
      "http_request_duration_seconds_bucket",
      "http_request_duration_seconds_count",
      "http_request_duration_seconds_sum",
      "http_requests_total",
      "process_resident_memory_bytes",
    ]);
    expect(readResource(answer(5))).toEqual(["__name__", "code", "instance", "job", "le"]);
    expect(readResource(answer(6))).toEqual({
      http_request_duration_seconds: [{ type: "histogram", help: "Request latency.", unit: "" }],
      http_requests: [{ type: "counter", help: "Requests served.", unit: "" }],
      process_resident_memory_bytes: [{ type: "gauge", help: "Resident memory.", unit: "bytes" }],
    });
  });

  it("the metrics browser narrows metrics, labels and values to the selector", () => {
    expect(readResource(answer(7))).toEqual(["http_requests_total"]);
    expect(readResource(answer(8))).toEqual(["__name__", "code", "instance", "job"]);
    expect(readResource(answer(9))).toEqual(["200", "500"]);
    expect(readResource(answer(10))).toEqual(["http_requests_total"]);
    expect(readResource(answer(11))).toEqual(["__name__", "code", "instance", "job"]);
    expect(readResource(answer(12))).toEqual(["a:9100", "b:9100"]);
  });

  it("Explore's range query with $__rate_interval: 241 points a code, the rates of the history", () => {
    const range = readQuery(answer(13));
    expect(range.resultType).toBe("matrix");
    expect(range.series.map((s) => s.labels)).toEqual([{ code: "200" }, { code: "500" }]);
    const expected: Record<string, number> = { "200": (3 + 2) / 15, "500": 1 / 15 };
    for (const s of range.series) {
      expect(s.points).toHaveLength(241);
      expect(s.points[0]![0]).toBe(Number(RANGE_START) * 1000);
      expect(s.points.at(-1)![0]).toBe(Number(RANGE_END) * 1000);
      for (const [, v] of s.points) expect(v).toBeCloseTo(expected[s.labels.code!]!, 12);
    }
    const instant = readQuery(answer(14));
    expect(instant.resultType).toBe("vector");
    expect(instant.series.map((s) => [s.labels, s.points[0]![0]])).toEqual([
      [{ code: "200" }, NOW_MS],
      [{ code: "500" }, NOW_MS],
    ]);
    expect(instant.series[0]!.points[0]![1]).toBeCloseTo(1 / 3, 12);
    // The exemplar query's answer is an array, read as exemplar frames: none (prom.go:339-420).
    expect(readResource(answer(15))).toEqual([]);
  });

  it("dashboard variables: label values under a metric, a query's result, a selector's series", () => {
    expect(readResource(answer(16))).toEqual(["a:9100", "b:9100"]);
    const counts = readQuery(answer(17));
    expect(counts.series).toEqual([
      { labels: { code: "200" }, points: [[promTime(NOW_MS) * 1000, 2]] },
      { labels: { code: "500" }, points: [[promTime(NOW_MS) * 1000, 1]] },
    ]);
    expect(readResource(answer(18))).toEqual([
      { __name__: "http_requests_total", code: "500", instance: "a:9100", job: "api" },
    ]);
  });

  it("Grafana Alerting: no rule groups, no alerts", () => {
    expect(readResource(answer(19))).toEqual({ groups: [] });
    expect(readResource(answer(20))).toEqual({ alerts: [] });
  });

  it("the replay covers each endpoint Grafana calls, with the methods it uses", () => {
    expect(STEPS).toHaveLength(21);
    expect(
      [
        ...new Set(
          STEPS.map(
            (s) => `${s.method} ${s.path.split("?")[0]!.replace(/label\/\w+/, "label/:name")}`,
          ),
        ),
      ].sort(),
    ).toEqual([
      "GET /api/v1/alerts",
      "GET /api/v1/label/:name/values",
      "GET /api/v1/metadata",
      "GET /api/v1/rules",
      "GET /api/v1/status/buildinfo",
      "POST /api/v1/labels",
      "POST /api/v1/query",
      "POST /api/v1/query_exemplars",
      "POST /api/v1/query_range",
      "POST /api/v1/series",
    ]);
  });
});

describe.skipIf(!withPrometheus)("the same requests to Prometheus 2.42", () => {
  let prom: PrometheusServer;
  beforeAll(async () => {
    prom = await startPrometheusWithHistory(history());
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
  });

  it("get the same statuses and the same data (values to 1e-9), and Grafana's heuristics say Prometheus for both", async () => {
    const disagreements: string[] = [];
    for (const [i, step] of STEPS.entries()) {
      const ours = answers.get(step)!;
      const theirs = await toPrometheus(prom, step);
      const where = `#${i} ${step.method} ${step.path}`;
      if (ours.status !== theirs.status) {
        disagreements.push(`${where}: Opsdeck ${ours.status}, Prometheus ${theirs.status}`);
        continue;
      }
      if (step.opsdeckOnly) continue;
      const a = JSON.parse(ours.body) as { data: unknown };
      const b = JSON.parse(theirs.body) as { data: unknown };
      const query = /\/query(_range)?$/.test(step.path.split("?")[0]!);
      if (query) {
        const x = readQuery(ours).series;
        const y = readQuery(theirs).series;
        const key = (s: Series) => JSON.stringify(s.labels);
        const same =
          x.length === y.length &&
          x.every((s) => {
            const other = y.find((o) => key(o) === key(s));
            return (
              other !== undefined &&
              other.points.length === s.points.length &&
              s.points.every(
                ([t, v], n) =>
                  t === other.points[n]![0] &&
                  Math.abs(v - other.points[n]![1]) <= 1e-9 * Math.max(1, Math.abs(v)),
              )
            );
          });
        if (!same)
          disagreements.push(`${where}: ${ours.body.slice(0, 300)} ≠ ${theirs.body.slice(0, 300)}`);
      } else if (Array.isArray(a.data) && Array.isArray(b.data)) {
        if (sorted(a.data).join() !== sorted(b.data).join())
          disagreements.push(`${where}: ${JSON.stringify(a.data)} ≠ ${JSON.stringify(b.data)}`);
      } else if (JSON.stringify(a.data) !== JSON.stringify(b.data)) {
        disagreements.push(`${where}: ${JSON.stringify(a.data)} ≠ ${JSON.stringify(b.data)}`);
      }
    }
    expect(disagreements).toEqual([]);
    const theirs = await toPrometheus(prom, STEPS[1]!);
    expect(heuristics(theirs)).toEqual(heuristics(answer(1)));
  });
});
