// npm run bench:metrics:query [-- --days 1,90 --prometheus-days 1,90 --instances 10 --runs 20 --warmup 3 --seed 1 --keep DIR]
// Does a long history slow the metrics dashboards down, and how do they compare with
// Prometheus? Generates one metrics.db per --days value (--instances instances of a
// 12-bucket request-duration histogram and a request counter, scraped every 15 s,
// restarting about weekly, through the writer; then rollup, compaction, retention as the
// metrics thread would have run them), loads the same history into Prometheus 2.42 for
// each --prometheus-days value (OpenMetrics through `promtool tsdb create-blocks-from
// openmetrics`), and times two panels on every store, request by request in rotation:
// a 30-day p95 at ~250 points with Grafana's $__rate_interval, and a 1-hour request rate
// at 15 s. Opsdeck's time is the query API's own (serverMs: evaluation and JSON values,
// in this process, as the query worker runs it), cold (the querier's decoded rollup rows
// emptied before each run, as after a start) and warm (kept from the run before, as a
// dashboard's refresh finds them) side by side; Prometheus's is its execTotalTime
// (stats=all), over loopback. Prints figures; asserts nothing but that cold and warm
// answers are the same. With --keep DIR the databases and blocks are kept in DIR and
// reused by the next run.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mulberry32 } from "../lib/seeded-random";
import { openMetricsDb, type MetricsDb } from "../server/tsdb/db";
import type { LabelPairs } from "../server/tsdb/labels";
import { rangeQuery } from "../server/tsdb/prom-api";
import { TsdbQuerier } from "../server/tsdb/querier";
import { ChunkCompactor } from "../server/tsdb/compact";
import { applyRetention } from "../server/tsdb/retention";
import { FIVE_MINUTES, Rollup, ROLLUP_GRACE_MS } from "../server/tsdb/rollup";
import { TsdbWriter } from "../server/tsdb/writer";
import { startPrometheus, type PrometheusServer } from "../test/prometheus-server";
import { parseFlags } from "./generate-history";
import { percentile, round1 } from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const list = (s: string) => (s === "" || s === "none" ? [] : s.split(",").map(Number));
const DAYS = list(flags.days ?? "1,90");
const PROM_DAYS = list(flags["prometheus-days"] ?? flags.days ?? "1,90");
const INSTANCES = Number(flags.instances ?? 10);
const RUNS = Number(flags.runs ?? 20);
const WARMUP = Number(flags.warmup ?? 3);
const SEED = Number(flags.seed ?? 1);
const KEEP = flags.keep ? path.resolve(flags.keep) : undefined;
const GOALS = { medianMaxMs: 100, ratioMax: 1.5 };

if ([...DAYS, ...PROM_DAYS].some((d) => !Number.isInteger(d) || d < 1))
  throw new Error("--days and --prometheus-days: whole numbers of days, e.g. 1,90");
if (!Number.isInteger(INSTANCES) || INSTANCES < 1)
  throw new Error("--instances: a positive integer");
if (!(RUNS >= 1 && WARMUP >= 0)) throw new Error("--runs (1 or more) and --warmup (0 or more)");

const SCRAPE_MS = 15_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const LE = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
// Every history ends at the same whole hour, so each is the same recent past; a kept
// directory keeps its hour, so its histories are read as they were written.
const END = ((): number => {
  const file = KEEP && path.join(KEEP, "end.json");
  if (file && fs.existsSync(file))
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { end: number }).end;
  const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  if (file) {
    fs.mkdirSync(KEEP!, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ end }));
  }
  return end;
})();

const P95_POINTS = 250;
const P95_STEP_S = Math.round((30 * DAY) / P95_POINTS / 1000);
// Grafana's $__rate_interval: max($__interval + scrape interval, 4 × scrape interval).
const RATE_INTERVAL_S = Math.max(P95_STEP_S + SCRAPE_MS / 1000, (4 * SCRAPE_MS) / 1000);
const PANELS = [
  {
    name: "30-day p95",
    query: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[${RATE_INTERVAL_S}s])))`,
    start: END - 30 * DAY,
    step: P95_STEP_S,
  },
  { name: "1-hour rate", query: "sum(rate(http_requests_total[1m]))", start: END - HOUR, step: 15 },
];

const normal = (rand: () => number) => {
  // Box–Muller: one standard normal from two uniforms.
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
};

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26, about 1e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

type Instance = { labels: LabelPairs[]; values: Float64Array[] };

/**
 * One instance's series over `scrapes` scrapes: per scrape a request count around a
 * daily cycle, spread over the buckets by a log-normal latency (slower for 2 % of
 * hours), a restart about every 7 days that resets every counter.
 */
function instance(i: number, scrapes: number, start: number): Instance {
  const rand = mulberry32(SEED * 1000 + i);
  const name = `web-${String(i).padStart(2, "0")}:8080`;
  // Sorted by name, as the writer takes them.
  const series = (metric: string, ...more: [string, string][]): LabelPairs => [
    ["__name__", metric],
    ["instance", name],
    ["job", "web"],
    ...more,
  ];
  const labels: LabelPairs[] = [
    ...LE.map((le) => series("http_request_duration_seconds_bucket", ["le", le])),
    series("http_request_duration_seconds_count"),
    series("http_request_duration_seconds_sum"),
    series("http_requests_total"),
  ];
  const values = labels.map(() => new Float64Array(scrapes));
  const rate = 5 + rand() * 15;
  const phase = rand() * 2 * Math.PI;
  const median = 0.04 + rand() * 0.12;
  const sigma = 0.8;
  const bounds = LE.slice(0, -1).map(Number);
  const cum = new Float64Array(LE.length);
  let sum = 0;
  let slow = 1;
  let nextRestart = start + (3 + rand() * 8) * DAY;
  for (let k = 0; k < scrapes; k++) {
    const t = start + k * SCRAPE_MS;
    if (t % HOUR === 0) slow = rand() < 0.02 ? 3 : 1;
    if (t >= nextRestart) {
      cum.fill(0);
      sum = 0;
      nextRestart = t + (5 + rand() * 4) * DAY;
    }
    const mean =
      rate * (SCRAPE_MS / 1000) * (1 + 0.5 * Math.sin((2 * Math.PI * (t % DAY)) / DAY + phase));
    const n = Math.max(0, Math.round(mean + normal(rand) * Math.sqrt(mean)));
    const m = median * slow;
    let below = 0;
    for (let b = 0; b < bounds.length; b++) {
      const inBucket = Math.round(n * phi((Math.log(bounds[b]!) - Math.log(m)) / sigma));
      below = Math.max(below, Math.min(n, inBucket));
      cum[b]! += below;
    }
    cum[LE.length - 1]! += n;
    sum += n * m * Math.exp((sigma * sigma) / 2) * (0.9 + 0.2 * rand());
    for (let b = 0; b < LE.length; b++) values[b]![k] = cum[b]!;
    values[LE.length]![k] = cum[LE.length - 1]!;
    values[LE.length + 1]![k] = sum;
    values[LE.length + 2]![k] = cum[LE.length - 1]!;
  }
  return { labels, values };
}

function omLine(labels: LabelPairs, v: number, t: number): string {
  const l = labels
    .slice(1)
    .map(([n, x]) => `${n}="${x}"`)
    .join(",");
  return `${labels[0]![1]}{${l}} ${v} ${t / 1000}\n`;
}

/** Appends text to a file in large writes. */
class TextOut {
  private buf: string[] = [];
  private size = 0;
  bytes = 0;
  private readonly fd: number;
  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
  }
  write(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 4 << 20) this.flush();
  }
  flush(): void {
    const chunk = this.buf.join("");
    this.bytes += Buffer.byteLength(chunk);
    fs.writeSync(this.fd, chunk);
    this.buf = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

type Built = {
  days: number;
  samples: number;
  generateS: number;
  rollupS: number;
  retentionS: number;
  dbMiB: number;
  omMiB?: number;
  promtoolS?: number;
  blocksMiB?: number;
};

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const seconds = (fromMs: number) => Math.round((performance.now() - fromMs) / 100) / 10;

function dirSize(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

/**
 * One history: into metrics.db through the writer, rolled up and trimmed by retention as
 * the metrics thread would have by END; and, when asked for, the same samples as
 * OpenMetrics turned into Prometheus blocks by promtool.
 */
async function build(root: string, days: number, db: boolean, prom: boolean): Promise<Built> {
  const dir = path.join(root, `${days}d`);
  const built: Built = { days, samples: 0, generateS: 0, rollupS: 0, retentionS: 0, dbMiB: 0 };
  const infoFile = path.join(dir, "built.json");
  const before = fs.existsSync(infoFile)
    ? (JSON.parse(fs.readFileSync(infoFile, "utf8")) as Built)
    : undefined;
  const haveDb = before !== undefined && fs.existsSync(path.join(dir, "metrics.db"));
  const haveProm = before?.promtoolS !== undefined && fs.existsSync(path.join(dir, "prometheus"));
  if ((!db || haveDb) && (!prom || haveProm)) return before!;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const scrapes = (days * DAY) / SCRAPE_MS;
  const start = END - days * DAY;
  const mdb: MetricsDb = openMetricsDb(dir);
  const writer = new TsdbWriter(mdb);
  const omFile = path.join(dir, "history.om");
  const histogram = prom ? new TextOut(omFile) : undefined;
  const counter = prom ? new TextOut(`${omFile}.counter`) : undefined;
  histogram?.write("# TYPE http_request_duration_seconds histogram\n");
  counter?.write("# TYPE http_requests counter\n");
  let t0 = performance.now();
  for (let i = 0; i < INSTANCES; i++) {
    const inst = instance(i, scrapes, start);
    inst.labels.forEach((labels, s) => {
      const v = inst.values[s]!;
      const out = s === inst.labels.length - 1 ? counter : histogram;
      for (let k = 0; k < scrapes; k++) {
        const t = start + k * SCRAPE_MS;
        writer.append(labels, t, v[k]!);
        out?.write(omLine(labels, v[k]!, t));
        if (++built.samples % 200_000 === 0) writer.commit();
      }
    });
    writer.commit();
    console.error(`  ${days} d: instance ${i + 1}/${INSTANCES} written`);
  }
  built.generateS = seconds(t0);
  t0 = performance.now();
  const now = END + ROLLUP_GRACE_MS + FIVE_MINUTES;
  const rolled = new Rollup(mdb).runNow(now);
  built.rollupS = seconds(t0);
  // Closed chunks into blocks, as the metrics thread's maintenance does after the rollup.
  const compacted = new ChunkCompactor(mdb).runNow(now);
  t0 = performance.now();
  const removed = await applyRetention(
    mdb,
    { raw: 15 * DAY, fiveMinute: 90 * DAY, hour: 400 * DAY },
    now,
    { yield: false },
  );
  built.retentionS = seconds(t0);
  mdb.close();
  console.error(
    `  ${days} d: ${built.samples.toLocaleString("en")} samples in ${built.generateS} s, rolled up in ${built.rollupS} s (${rolled.points["5m"]} 5-minute, ${rolled.points["1h"]} hourly points), ${compacted.chunks} closed chunks compacted into ${compacted.rows} block rows, retention removed ${removed.chunks + removed.heads} raw chunks and ${removed.blockRows} block rows in ${built.retentionS} s`,
  );
  if (histogram && counter) {
    counter.write("# EOF\n");
    counter.close();
    histogram.close();
    built.omMiB = mib(histogram.bytes + counter.bytes);
    fs.appendFileSync(omFile, fs.readFileSync(`${omFile}.counter`));
    fs.rmSync(`${omFile}.counter`);
    t0 = performance.now();
    execFileSync("/usr/bin/promtool", [
      "tsdb",
      "create-blocks-from",
      "openmetrics",
      "--quiet",
      // Blocks of up to 60.75 days: promtool reads the whole file once per block.
      "--max-block-duration=1458h",
      omFile,
      path.join(dir, "prometheus"),
    ]);
    built.promtoolS = seconds(t0);
    built.blocksMiB = mib(dirSize(path.join(dir, "prometheus")));
    fs.rmSync(omFile);
    console.error(
      `  ${days} d: promtool made Prometheus blocks from ${built.omMiB} MiB in ${built.promtoolS} s`,
    );
  }
  fs.writeFileSync(infoFile, JSON.stringify(built));
  return built;
}

type Panel = (typeof PANELS)[number];
/** The server's time, and the answer's one series as time → value. */
type Timed = { ms: number; values: Map<number, number> };
type Target = { label: string; days: number; run: (panel: Panel) => Promise<Timed> };
type Mode = "cold" | "warm";

type Matrix = { result: { values: (string | number)[][] }[] };
const valuesOf = (m: Matrix) =>
  new Map((m.result[0]?.values ?? []).map(([t, v]) => [Number(t), Number(v)]));

/** The median and largest relative difference between two answers where both have a point, and the points only one has. */
function difference(a: Map<number, number>, b: Map<number, number>): string {
  const diffs: number[] = [];
  let missing = 0;
  for (const [t, x] of a) {
    const y = b.get(t);
    if (y === undefined) missing++;
    else diffs.push(x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
  }
  for (const t of b.keys()) if (!a.has(t)) missing++;
  diffs.sort((x, y) => x - y);
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const only = missing ? `, ${missing} point${missing === 1 ? "" : "s"} in one only` : "";
  return `median ${pct(percentile(diffs, 0.5))}, largest ${pct(diffs[diffs.length - 1] ?? 0)} over ${diffs.length} points${only}`;
}

/** The same points with the same values, NaN included. */
const identical = (a: Map<number, number>, b: Map<number, number>) =>
  a.size === b.size && [...a].every(([t, x]) => b.has(t) && Object.is(b.get(t), x));

/** A panel's query_range parameters, up to END. */
function panelParams(panel: Panel): URLSearchParams {
  return new URLSearchParams({
    query: panel.query,
    start: String(panel.start / 1000),
    end: String(END / 1000),
    step: String(panel.step),
  });
}

function opsdeckTarget(
  days: number,
  root: string,
  mode: Mode,
): Target & { mode: Mode; resolution: Map<string, string>; db: MetricsDb } {
  const db = openMetricsDb(path.join(root, `${days}d`), { readonly: true });
  const q = new TsdbQuerier(db);
  const resolution = new Map<string, string>();
  return {
    label: `Opsdeck ${days} d ${mode}`,
    days,
    mode,
    db,
    resolution,
    run: async (panel) => {
      if (mode === "cold") q.rollupCache.clear();
      const { data, timing } = rangeQuery(panelParams(panel), q);
      resolution.set(panel.name, timing.resolution);
      return { ms: timing.serverMs, values: valuesOf(data) };
    },
  };
}

function prometheusTarget(days: number, server: PrometheusServer): Target {
  return {
    label: `Prometheus ${days} d`,
    days,
    run: async (panel) => {
      const body = panelParams(panel);
      body.set("stats", "all");
      const res = await fetch(`${server.url}/api/v1/query_range`, { method: "POST", body });
      const json = (await res.json()) as {
        status: string;
        data: Matrix & { stats: { timings: { execTotalTime: number } } };
      };
      if (json.status !== "success")
        throw new Error(`Prometheus: ${JSON.stringify(json).slice(0, 300)}`);
      return { ms: json.data.stats.timings.execTotalTime * 1000, values: valuesOf(json.data) };
    },
  };
}

async function main() {
  const root = KEEP ?? fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-metrics-"));
  const servers: PrometheusServer[] = [];
  const cleanup = async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    if (!KEEP) fs.rmSync(root, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const built: Built[] = [];
    for (const days of [...new Set([...DAYS, ...PROM_DAYS])].sort((a, b) => a - b)) {
      console.error(`generating ${days} d of history…`);
      built.push(await build(root, days, DAYS.includes(days), PROM_DAYS.includes(days)));
    }
    const opsdeck = DAYS.flatMap((d) =>
      (["cold", "warm"] as const).map((mode) => opsdeckTarget(d, root, mode)),
    );
    // Pages in use: retention's deletes leave free pages that SQLite reuses, not a smaller file.
    for (const o of opsdeck.filter((t) => t.mode === "cold")) {
      const pages = (name: string) => o.db.pragma(name, { simple: true }) as number;
      built.find((b) => b.days === o.days)!.dbMiB = mib(
        (pages("page_count") - pages("freelist_count")) * pages("page_size"),
      );
    }
    const targets: Target[] = [...opsdeck];
    for (const days of PROM_DAYS) {
      const server = await startPrometheus({ dataDir: path.join(root, `${days}d`, "prometheus") });
      servers.push(server);
      targets.push(prometheusTarget(days, server));
    }
    const medians = new Map<string, Map<string, { median: number; p95: number; min: number }>>();
    const answers = new Map<string, Map<number, number>>();
    for (const panel of PANELS) {
      const times = targets.map((): number[] => []);
      for (let i = 0; i < WARMUP + RUNS; i++) {
        for (let k = 0; k < targets.length; k++) {
          const j = (i + k) % targets.length;
          const { ms, values } = await targets[j]!.run(panel);
          if (i >= WARMUP) times[j]!.push(ms);
          answers.set(`${targets[j]!.label}\0${panel.name}`, values);
        }
      }
      targets.forEach((t, j) => {
        const s = times[j]!.sort((a, b) => a - b);
        if (!medians.has(t.label)) medians.set(t.label, new Map());
        medians.get(t.label)!.set(panel.name, {
          median: round1(percentile(s, 0.5)),
          p95: round1(percentile(s, 0.95)),
          min: round1(s[0]!),
        });
      });
    }
    console.log(`\n${nodeAndMachine()}`);
    console.log(
      `history ending ${new Date(END).toISOString()}, ${INSTANCES} instances × (12 buckets + _sum + _count + a counter), 15 s`,
    );
    console.log(
      "\n| days | samples | generate | rollup | retention | metrics.db in use | OpenMetrics | promtool | blocks |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const b of built)
      console.log(
        `| ${b.days} | ${b.samples.toLocaleString("en")} | ${b.generateS} s | ${b.rollupS} s | ${b.retentionS} s | ${b.dbMiB} MiB | ${b.omMiB ?? "–"} MiB | ${b.promtoolS ?? "–"} s | ${b.blocksMiB ?? "–"} MiB |`,
      );
    for (const panel of PANELS) {
      console.log(`\n${panel.name}: ${panel.query} (step ${panel.step} s)`);
      console.log("| store | resolution | median | p95 | min |");
      console.log("| ----- | ---------- | ------ | --- | --- |");
      for (const t of targets) {
        const m = medians.get(t.label)!.get(panel.name)!;
        const res = opsdeck.find((o) => o.label === t.label)?.resolution.get(panel.name) ?? "raw";
        console.log(`| ${t.label} | ${res} | ${m.median} ms | ${m.p95} ms | ${m.min} ms |`);
      }
      const answerOf = (t: Target) => answers.get(`${t.label}\0${panel.name}`)!;
      for (const o of opsdeck) {
        const warm = opsdeck.find((w) => w.days === o.days && w.mode === "warm")!;
        if (!identical(answerOf(o), answerOf(warm)))
          throw new Error(`${o.label} and ${warm.label} answer ${panel.name} differently`);
        const p = targets.find((t) => t.label === `Prometheus ${o.days} d`);
        if (!p || o.mode === "cold") continue;
        console.log(
          `Opsdeck ${o.days} d against ${p.label}: ${difference(answerOf(o), answerOf(p))}`,
        );
      }
      for (const mode of ["cold", "warm"] as const) {
        const o = opsdeck
          .filter((t) => t.mode === mode)
          .map((t) => medians.get(t.label)!.get(panel.name)!.median);
        if (o.length >= 2)
          console.log(
            `${mode}: ratio ${DAYS[DAYS.length - 1]} d / ${DAYS[0]} d: ${(o[o.length - 1]! / o[0]!).toFixed(2)} (goal ≤ ${GOALS.ratioMax}); slowest median ${Math.max(...o)} ms (goal < ${GOALS.medianMaxMs} ms)`,
          );
      }
    }
    for (const o of opsdeck) o.db.close();
  } finally {
    await cleanup();
  }
}

function nodeAndMachine(): string {
  const cpu =
    fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown";
  return `${os.cpus().length} cores (${cpu}), Node.js ${process.version}`;
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
