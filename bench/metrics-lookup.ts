// npx tsx --conditions=react-server bench/metrics-lookup.ts [-- --targets 50 --runs 15 --keep DIR]
// How long do the metadata endpoints (/api/v1/series, /labels, /label/<name>/values) and
// the Explore page's vocabulary take over 50,000 series? Writes --targets benchmark
// targets of 1,000 series each through the writer (every series one sample a minute for
// 4 hours: a closed chunk and an open one); the first half stopped 4 hours ago, so a
// recent range has dead series to pass over. Times each lookup in this process (the HTTP
// thread's work), median and slowest of --runs, and the vocabulary as the page read it
// before (SELECT DISTINCT over the postings on every load) and now (a skip scan, then
// the cache). Prints figures; asserts nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseExposition } from "../lib/metrics/exposition";
import { openMetricsDb, type MetricsDb } from "../server/tsdb/db";
import { sortLabels, type LabelPairs } from "../server/tsdb/labels";
import {
  labelNames,
  labelValues,
  MetadataStore,
  parseLookup,
  seriesMatching,
} from "../server/tsdb/prom-metadata";
import { ALL_TIME } from "../server/tsdb/series-lookup";
import { TsdbWriter } from "../server/tsdb/writer";
import { parseFlags } from "./generate-history";
import { BenchTarget } from "./metrics-series";
import { percentile, round1 } from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const TARGETS = Number(flags.targets ?? 50);
const RUNS = Number(flags.runs ?? 15);
const KEEP = flags.keep ? path.resolve(flags.keep) : undefined;
const MIN = 60_000;
const HOUR = 60 * MIN;
const END = 1_764_000_000_000;

function build(db: MetricsDb): void {
  const w = new TsdbWriter(db);
  for (let k = 0; k < TARGETS; k++) {
    const body = new BenchTarget(k + 1, 60).scrape(END);
    const series: LabelPairs[] = parseExposition(body, "prometheus").samples.map((s) =>
      sortLabels([
        ["__name__", s.name],
        ["job", "bench"],
        ["instance", `10.0.${k}.1:9100`],
        ...s.labels,
      ]),
    );
    // The first half of the targets stopped 4 hours before the end.
    const from = k < TARGETS / 2 ? END - 8 * HOUR : END - 4 * HOUR;
    for (let t = from; t < from + 4 * HOUR; t += MIN) for (const l of series) w.append(l, t, t);
    w.commit();
  }
}

function time(name: string, f: () => unknown): void {
  const ms: number[] = [];
  let size = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const r = f() as { data?: unknown[]; metricNames?: unknown[] } | unknown[];
    ms.push(performance.now() - started);
    size = Array.isArray(r) ? r.length : (r.data?.length ?? r.metricNames?.length ?? 0);
  }
  ms.sort((a, b) => a - b);
  const median = percentile(ms, 0.5).toFixed(3);
  const max = round1(ms.at(-1)!);
  console.log(`${name.padEnd(66)} ${median.padStart(8)} ms  (max ${max}; ${size} items)`);
}

const dir = KEEP ?? fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-lookup-bench-"));
const fresh = !fs.existsSync(path.join(dir, "metrics.db"));
const db = openMetricsDb(dir);
if (fresh) {
  const started = performance.now();
  build(db);
  console.log(`wrote ${TARGETS} targets in ${Math.round(performance.now() - started)} ms`);
}
const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
console.log(
  `${count("SELECT count(*) AS n FROM series")} series, ${count("SELECT count(*) AS n FROM postings")} postings, ${count("SELECT count(*) AS n FROM chunks")} chunks; median of ${RUNS}`,
);

const store = new MetadataStore(db);
const sec = (ms: number) => String(ms / 1000);
const lastHour = { start: sec(END - HOUR), end: sec(END) };
const q = (p: Record<string, string>) => new URLSearchParams(p);

const before = {
  names: db.prepare("SELECT DISTINCT name FROM postings ORDER BY name").pluck(),
  values: db.prepare("SELECT DISTINCT value FROM postings WHERE name = ? ORDER BY value").pluck(),
};
time("vocabulary, before: SELECT DISTINCT every load", () => ({
  metricNames: before.values.all("__name__").slice(0, 10_000),
  labelNames: before.names.all().slice(0, 10_000),
}));
time("vocabulary, now, uncached: skip scan", () => ({
  metricNames: store.lookup.labelValues("__name__", ALL_TIME, 10_000),
  labelNames: store.lookup.labelNames(ALL_TIME, 10_000),
}));
time("vocabulary, now, cached (one max(id) seek)", () => store.vocabulary());

const values = (name: string, p: Record<string, string>) =>
  labelValues(name, parseLookup(q(p), "label_values"), store);
time("label values __name__, no range", () => values("__name__", {}));
time("label values __name__, last hour", () => values("__name__", lastHour));
time("label values __name__, 6 to 5 hours ago (half the series)", () =>
  values("__name__", { start: sec(END - 6 * HOUR), end: sec(END - 5 * HOUR) }),
);
time("label values __name__, a day ago (no data: every series tested)", () =>
  values("__name__", { start: sec(END - 25 * HOUR), end: sec(END - 24 * HOUR) }),
);
time("label values instance, last hour", () => values("instance", lastHour));
time("label values route, last hour, match[] one metric", () =>
  values("route", { ...lastHour, "match[]": "bench_http_request_duration_seconds_count" }),
);
const names = (p: Record<string, string>) => labelNames(parseLookup(q(p), "labels"), store);
time("labels, last hour", () => names(lastHour));
time("labels, 6 to 5 hours ago (half the series)", () =>
  names({ start: sec(END - 6 * HOUR), end: sec(END - 5 * HOUR) }),
);
time("labels, a day ago (no data)", () =>
  names({ start: sec(END - 25 * HOUR), end: sec(END - 24 * HOUR) }),
);
time("series, last hour, match[] one metric", () =>
  seriesMatching(
    parseLookup(
      q({ ...lastHour, "match[]": "bench_http_request_duration_seconds_count" }),
      "series",
    ),
    store,
  ),
);
time('series, last hour, match[]={job="bench"} (all 50,000)', () =>
  seriesMatching(parseLookup(q({ ...lastHour, "match[]": '{job="bench"}' }), "series"), store),
);
db.close();
if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
