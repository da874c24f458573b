// A seeded, repeatable metrics history for testing the evaluator against Prometheus:
// three hours of 15 s scrapes from several jobs and instances, with counter resets,
// gauges that go negative or NaN (and rarely infinite), a classic histogram and a
// summary, missed scrapes, a target that is down for longer than the lookback, and a
// series that stops and starts again. It is written out as OpenMetrics text (what
// `promtool tsdb create-blocks-from openmetrics` reads) and returned as series with
// exactly the timestamps and values Prometheus will have read from that text.

import type { Labels, SeriesData } from "../storage";
import { mulberry32 } from "../../seeded-random";

type FamilyType = "counter" | "gauge" | "histogram" | "summary";

interface Family {
  type: FamilyType;
  series: Map<string, { labels: Labels; t: number[]; v: number[] }>;
}

export interface GeneratedData {
  series: SeriesData[];
  openMetrics: string;
  /** The first and last scrape times, in ms. */
  startMs: number;
  endMs: number;
}

/** 2023-11-14T22:00:00Z, on a whole hour so block and step boundaries fall on it. */
export const GENERATED_START_MS = 1_699_999_200_000;
const SCRAPE_MS = 15_000;
const SCRAPES = 3 * 240;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  // String(-0) is "0"; the text must say what the series holds.
  return Object.is(v, -0) ? "-0" : String(v);
}

/**
 * Seconds with half a millisecond more: Prometheus reads a timestamp as float seconds
 * times 1000, truncated, and "…215.122" can come out as …215121.9998 ms; "…215.1225"
 * always truncates to …215122.
 */
function formatTimestamp(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}5`;
}

function formatLabels(l: Labels): string {
  const parts = Object.entries(l)
    .filter(([n]) => n !== "__name__")
    .map(
      ([n, v]) => `${n}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
    );
  return parts.length ? `{${parts.join(",")}}` : "";
}

export function generate(seed = 42): GeneratedData {
  const rand = mulberry32(seed);
  const families = new Map<string, Family>();

  function add(family: string, type: FamilyType, labels: Labels, t: number, v: number): void {
    let f = families.get(family);
    if (!f) {
      f = { type, series: new Map() };
      families.set(family, f);
    }
    const key = JSON.stringify(Object.entries(labels).sort());
    let s = f.series.get(key);
    if (!s) {
      s = { labels, t: [], v: [] };
      f.series.set(key, s);
    }
    s.t.push(t);
    s.v.push(v);
  }

  interface Target {
    job: string;
    instance: string;
    phase: number;
    /** Scrape indexes at which the process restarts (its counters start again from 0). */
    restarts: number[];
    /** Scrape indexes during which the target cannot be scraped. */
    down: [number, number][];
    missRate: number;
  }
  const targets: Target[] = [
    { job: "navi", instance: "n1", phase: 0, restarts: [], down: [], missRate: 0 },
    { job: "navi", instance: "n2", phase: 0, restarts: [200, 530], down: [], missRate: 0.01 },
    { job: "navi", instance: "n3", phase: 0, restarts: [], down: [[320, 368]], missRate: 0 },
    { job: "api", instance: "a1", phase: 0, restarts: [], down: [], missRate: 0.02 },
    { job: "api", instance: "a2", phase: 0, restarts: [410], down: [[600, 612]], missRate: 0 },
    { job: "node", instance: "h1", phase: 0, restarts: [], down: [], missRate: 0 },
    { job: "node", instance: "h2", phase: 0, restarts: [], down: [], missRate: 0.05 },
    { job: "batch", instance: "b1", phase: 0, restarts: [], down: [], missRate: 0 },
  ];
  for (const t of targets) t.phase = Math.floor(rand() * SCRAPE_MS);

  let endMs = 0;
  for (const target of targets) {
    const base = { job: target.job, instance: target.instance };
    const counters = new Map<string, number>();
    const bump = (key: string, by: number): number => {
      const v = (counters.get(key) ?? 0) + by;
      counters.set(key, v);
      return v;
    };
    let temperature = 20 * rand() - 10;
    let queue = 5;
    for (let i = 0; i < SCRAPES; i++) {
      // Counters advance whether or not the scrape succeeds.
      if (target.restarts.includes(i)) counters.clear();
      const scraped = !target.down.some(([a, b]) => i >= a && i < b) && !(rand() < target.missRate);
      const t = GENERATED_START_MS + i * SCRAPE_MS + target.phase + Math.floor(rand() * 20);

      const sample = (
        family: string,
        type: FamilyType,
        name: string,
        labels: Labels,
        v: number,
      ) => {
        if (scraped) add(family, type, { __name__: name, ...base, ...labels }, t, v);
      };
      sample("up", "gauge", "up", {}, 1);
      if (target.job !== "batch")
        sample(
          "build_info",
          "gauge",
          "build_info",
          { version: target.instance === "n3" ? "1.1" : "1.0" },
          1,
        );

      if (target.job === "navi") {
        for (const route of ["a", "b"]) {
          const sent = Math.floor(rand() * 40);
          const delivered = Math.floor(sent * (0.8 + 0.2 * rand()));
          sample(
            "navi_taps_sent",
            "counter",
            "navi_taps_sent_total",
            { route },
            bump(`sent${route}`, sent),
          );
          sample(
            "navi_taps_delivered",
            "counter",
            "navi_taps_delivered_total",
            { route },
            bump(`del${route}`, delivered),
          );
        }
      }
      if (target.job === "api") {
        for (const code of ["200", "500"]) {
          const n = code === "200" ? Math.floor(rand() * 100) : Math.floor(rand() * 3);
          sample(
            "http_requests",
            "counter",
            "http_requests_total",
            { code },
            bump(`req${code}`, n),
          );
        }
        const observations = Math.floor(rand() * 25);
        let sum = 0;
        const counts = BUCKETS.map(() => 0);
        for (let o = 0; o < observations; o++) {
          const d = Math.exp(Math.log(0.08) + 1.3 * (rand() + rand() + rand() - 1.5));
          sum += d;
          BUCKETS.forEach((le, b) => {
            if (d <= le) counts[b]!++;
          });
        }
        BUCKETS.forEach((le, b) => {
          const v = bump(`le${le}`, counts[b]!);
          sample(
            "request_duration_seconds",
            "histogram",
            "request_duration_seconds_bucket",
            { le: formatValue(le) },
            v,
          );
        });
        sample(
          "request_duration_seconds",
          "histogram",
          "request_duration_seconds_sum",
          {},
          bump("sum", Math.round(sum * 1000) / 1000),
        );
        sample(
          "request_duration_seconds",
          "histogram",
          "request_duration_seconds_count",
          {},
          bump("count", observations),
        );

        queue = Math.max(0, queue + Math.floor(rand() * 7) - 3);
        const r = rand();
        sample(
          "queue_depth",
          "gauge",
          "queue_depth",
          {},
          r < 0.02 ? NaN : r > 0.998 ? Infinity : r > 0.996 ? -Infinity : queue,
        );
      }
      if (target.job === "node") {
        temperature += rand() - 0.5;
        sample(
          "node_temperature_celsius",
          "gauge",
          "node_temperature_celsius",
          {},
          Math.round(temperature * 100) / 100,
        );
      }
      if (target.job === "batch") {
        // Reported only while a batch runs: for the first hour, then again from 2h20m.
        if (i < 240 || i >= 560) {
          sample(
            "batch_last_success_timestamp_seconds",
            "gauge",
            "batch_last_success_timestamp_seconds",
            {},
            Math.floor(t / 60_000) * 60,
          );
        }
        const q = [0.5, 0.9, 0.99];
        q.forEach((quantile, k) => {
          sample(
            "rpc_duration_seconds",
            "summary",
            "rpc_duration_seconds",
            { quantile: String(quantile) },
            Math.round((0.1 + k * 0.2 + rand() * 0.05) * 1e4) / 1e4,
          );
        });
        sample(
          "rpc_duration_seconds",
          "summary",
          "rpc_duration_seconds_sum",
          {},
          bump("rsum", Math.round(rand() * 5000) / 1000),
        );
        sample(
          "rpc_duration_seconds",
          "summary",
          "rpc_duration_seconds_count",
          {},
          bump("rcount", 10 + Math.floor(rand() * 10)),
        );
      }
      if (scraped) endMs = Math.max(endMs, t);
    }
  }

  const lines: string[] = [];
  const series: SeriesData[] = [];
  for (const [name, f] of families) {
    lines.push(`# TYPE ${name} ${f.type}`);
    for (const s of f.series.values()) {
      const head = `${s.labels.__name__}${formatLabels(s.labels)}`;
      s.t.forEach((t, i) => lines.push(`${head} ${formatValue(s.v[i]!)} ${formatTimestamp(t)}`));
      series.push({ labels: s.labels, t: Float64Array.from(s.t), v: Float64Array.from(s.v) });
    }
  }
  lines.push("# EOF", "");
  return { series, openMetrics: lines.join("\n"), startMs: GENERATED_START_MS, endMs };
}
