// npm run bench:metrics:storage [-- --hours 24 --targets 1 --keep DIR --no-prometheus --no-compact]
// Bytes per raw sample on disk after a day, in metrics.db and in Prometheus 2.42's TSDB.
// Two data sets, each scraped every 15 s for `--hours` of simulated time:
//   demo   what the demo service exposes (demo/lib/metrics.mjs: prom-client's default
//          metrics and the Navi ones), its counters driven by simulated traffic at the
//          demo's 5 requests a second;
//   bench  `--targets` of the ingest benchmark's 1,000-series targets (bench/metrics-series.ts).
// Each scrape goes through the real scrape path (ReplicaScraper: parse, target labels,
// staleness, the four synthetic series) into the real TsdbWriter, stamped exactly on its
// slot (the metrics thread's timestamp tolerance), one commit per scrape as the thread
// commits once a second, and the compaction of closed chunks into blocks every simulated
// minute, as the thread's maintenance runs it (--no-compact leaves them as they were
// closed). The bodies come from a fetch stand-in: nothing waits a day.
// The samples written are also written out as OpenMetrics text with timestamps and
// loaded with `promtool tsdb create-blocks-from openmetrics` (2-hour blocks); then a
// Prometheus 2.42 is started on those blocks until it has compacted them, as a running
// one would over a day. Prints figures; asserts nothing.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isStaleNaN } from "@/lib/metrics/stale";
import { ChunkCompactor, type CompactReport } from "@/server/tsdb/compact";
import { openMetricsDb } from "@/server/tsdb/db";
import { MAINTENANCE_EVERY_MS } from "@/server/tsdb/maintenance";
import { sortLabels, type LabelPairs } from "@/server/tsdb/labels";
import { ReplicaScraper, scrapeOffsetMs, type ScrapeSpec } from "@/server/tsdb/scraper";
import { TsdbWriter } from "@/server/tsdb/writer";
import { mulberry32 } from "@/lib/seeded-random";
import { parseFlags } from "./generate-history";
import { BenchTarget } from "./metrics-series";
import { startPrometheus } from "@/test/prometheus-server";
import { percentile, ROOT, round1 } from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const HOURS = Number(flags.hours ?? 24);
const TARGETS = Number(flags.targets ?? 1);
const KEEP = flags.keep ? path.resolve(flags.keep) : undefined;
const PROMETHEUS = flags["no-prometheus"] === undefined;
const COMPACT = flags["no-compact"] === undefined;
const PROMTOOL_BIN = "/usr/bin/promtool";
const SCRAPE_MS = 15_000;
/** 2026-12-01T00:00:00Z: a whole day, so Prometheus's 2-hour blocks line up with it. */
const START_MS = Date.UTC(2026, 11, 1);
const SCRAPES = Math.round((HOURS * 3_600_000) / SCRAPE_MS);
/** Prometheus's TSDB on real data, the figure ADR 19 starts from; and the issue's goal. */
const PROMETHEUS_REFERENCE = 1.3;
const GOAL_BYTES_PER_SAMPLE = 3;

type Source = { instance: string; contentType: string; body: (t: number) => Promise<string> };

/** Each series' samples in write order, for the OpenMetrics copy. */
type Recorded = Map<string, { labels: LabelPairs; t: number[]; v: number[] }>;

/** The real writer, keeping a copy of every sample it takes for the Prometheus side. */
class RecordingWriter extends TsdbWriter {
  readonly recorded: Recorded = new Map();
  override append(labels: LabelPairs, t: number, v: number) {
    const outcome = super.append(labels, t, v);
    if (outcome === "ok") {
      const key = JSON.stringify(labels);
      let s = this.recorded.get(key);
      if (!s) this.recorded.set(key, (s = { labels, t: [], v: [] }));
      s.t.push(t);
      s.v.push(v);
    }
    return outcome;
  }
}

type DemoMetrics = {
  registry: { metrics(): Promise<string>; contentType: string };
  requestDuration: { observe(labels: Record<string, string>, v: number): void };
  requestsTotal: { inc(labels: Record<string, string>): void };
  tapsSent: { inc(n?: number): void };
  tapsDelivered: { inc(n?: number): void };
  pairingAttempts: { inc(n?: number): void };
  pairingSuccesses: { inc(n?: number): void };
};

/**
 * The demo's own metrics objects, fed what its traffic generator would cause in 15 s
 * (5 requests a second: 70 % taps, 20 % reads of active users, 10 % pairings; an uptime
 * check of /health every 30 s; the scrape of /metrics itself). prom-client's default
 * metrics are this process's own, read at each simulated scrape.
 */
async function demoSource(): Promise<Source> {
  // A computed specifier: the project compiles without allowJs, so the .mjs has no types here.
  const file = path.join(ROOT, "demo", "lib", "metrics.mjs");
  const { createMetrics } = (await import(file)) as {
    createMetrics: (s: Record<string, () => number>) => DemoMetrics;
  };
  const random = mulberry32(7);
  const walk = (v: number) => Math.min(400, Math.max(20, v + Math.round((random() * 2 - 1) * 6)));
  let dbBytes = 5 * 4096;
  let connections = 150;
  let users = 120;
  const m = createMetrics({
    dbSizeBytes: () => dbBytes,
    websocketConnections: () => connections,
    activeUsers: () => users,
  });
  const latency = (median: number) =>
    median *
    Math.exp(0.5 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  const request = (method: string, route: string, status: number, seconds: number) => {
    const labels = { method, route, status: String(status) };
    m.requestDuration.observe(labels, seconds);
    m.requestsTotal.inc(labels);
  };
  let scrapes = 0;
  return {
    instance: "127.0.0.1:4001",
    contentType: m.registry.contentType,
    async body() {
      for (let s = 0; s < 15; s++) {
        connections = walk(connections);
        users = walk(users);
        for (let i = 0; i < 5; i++) {
          const roll = random();
          if (roll < 0.7) {
            request("POST", "/api/taps", random() < 0.002 ? 500 : 201, latency(0.004));
            m.tapsSent.inc();
            if (random() < 0.97) m.tapsDelivered.inc();
            if (random() < 0.3) dbBytes += 4096;
          } else if (roll < 0.9) {
            request("GET", "/api/users/active", 200, latency(0.002));
          } else {
            m.pairingAttempts.inc();
            const ok = random() < 0.85;
            if (ok) m.pairingSuccesses.inc();
            request("POST", "/api/pairings", ok ? 201 : 409, latency(0.006));
          }
        }
      }
      if (scrapes++ % 2 === 0) request("GET", "/health", 200, latency(0.001));
      request("GET", "/metrics", 200, latency(0.003));
      return m.registry.metrics();
    },
  };
}

function benchSources(): Source[] {
  return Array.from({ length: TARGETS }, (_, i) => {
    const target = new BenchTarget(i + 1);
    return {
      instance: `127.0.0.1:${9100 + i}`,
      contentType: "text/plain; version=0.0.4; charset=utf-8",
      body: async (t: number) => target.scrape(t),
    };
  });
}

function specFor(source: Source, job: string): ScrapeSpec {
  return {
    job,
    instance: source.instance,
    url: `http://${source.instance}/metrics`,
    intervalMs: SCRAPE_MS,
    timeoutMs: 10_000,
    authorization: undefined,
    targetLabels: sortLabels([
      ["job", job],
      ["instance", source.instance],
      ["service", job],
      ["environment", "production"],
    ]),
    relabel: [],
    limits: {
      bodyBytes: 10 * 1024 * 1024,
      samples: 50_000,
      labels: 64,
      labelNameLength: 128,
      labelValueLength: 2048,
    },
  };
}

/** A day of scrapes of `sources` into a fresh metrics.db in `dir`, in time order. */
async function writeDay(dir: string, job: string, sources: Source[]) {
  fs.mkdirSync(dir, { recursive: true });
  const db = openMetricsDb(dir);
  const writer = new RecordingWriter(db);
  const loops = sources.map((source) => {
    const spec = specFor(source, job);
    let body = "";
    const fetchBody = (async () =>
      new Response(body, { headers: { "content-type": source.contentType } })) as typeof fetch;
    return {
      offset: scrapeOffsetMs(spec),
      scraper: new ReplicaScraper(spec, writer, fetchBody),
      next: async (t: number) => {
        body = await source.body(t);
      },
    };
  });
  loops.sort((a, b) => a.offset - b.offset);
  const compactor = COMPACT ? new ChunkCompactor(db) : undefined;
  // Each batch (one transaction) timed on its own: the writer waits while one runs.
  const totals: CompactReport = { batches: 0, series: 0, chunks: 0, rows: 0, longestBatchMs: 0 };
  const batchMs: number[] = [];
  let compactSeconds = 0;
  let maintainAt = START_MS + MAINTENANCE_EVERY_MS;
  const maintain = (now: number) => {
    if (!compactor) return;
    const t0 = performance.now();
    for (;;) {
      const b0 = performance.now();
      if (!compactor.step(now, totals)) break;
      batchMs.push(performance.now() - b0);
    }
    compactSeconds += (performance.now() - t0) / 1000;
  };
  const started = performance.now();
  for (let k = 0; k < SCRAPES; k++) {
    for (const loop of loops) {
      const t = START_MS + k * SCRAPE_MS + loop.offset;
      await loop.next(t);
      const result = await loop.scraper.scrape(t);
      if (!result.ok) throw new Error(`scrape ${k} of ${job} failed: ${result.error}`);
      // The thread commits once a second, and one target is scraped once per 15 s.
      writer.commit(t + 1000);
      if (t + 1000 >= maintainAt) {
        maintain(t + 1000);
        maintainAt += MAINTENANCE_EVERY_MS;
      }
    }
    if (k % 960 === 0 && k > 0) console.error(`[${job}] ${(k * SCRAPE_MS) / 3_600_000} h written`);
  }
  writer.commit(START_MS + SCRAPES * SCRAPE_MS);
  maintain(START_MS + SCRAPES * SCRAPE_MS);
  const writeSeconds = (performance.now() - started) / 1000;
  return {
    db,
    writer,
    writeSeconds,
    compaction: compactor
      ? {
          batches: totals.batches,
          chunks: totals.chunks,
          rows: totals.rows,
          seconds: round1(compactSeconds),
          batchMs: {
            median: round1(
              percentile(
                batchMs.sort((a, b) => a - b),
                0.5,
              ),
            ),
            p99: round1(percentile(batchMs, 0.99)),
            max: round1(batchMs[batchMs.length - 1] ?? 0),
          },
        }
      : null,
  };
}

function fileSize(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/** What metrics.db holds and where its bytes are, before and after VACUUM. */
function opsdeckFigures(db: ReturnType<typeof openMetricsDb>, dir: string) {
  const file = path.join(dir, "metrics.db");
  const one = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  const samples =
    one("SELECT sum(count) AS n FROM head") +
    one("SELECT sum(count) AS n FROM chunks") +
    one("SELECT sum(count) AS n FROM blocks");
  // A block row's data is its chunks, each after its length (a byte or two).
  const blobs = {
    blocks: one("SELECT sum(length(data)) AS n FROM blocks"),
    chunks: one("SELECT sum(length(data)) AS n FROM chunks"),
    head: one("SELECT sum(length(data)) AS n FROM head"),
  };
  const tables = () =>
    Object.fromEntries(
      (
        db
          .prepare(
            "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC",
          )
          .all() as { name: string; bytes: number }[]
      ).map((r) => [r.name, r.bytes]),
    );
  db.pragma("wal_checkpoint(TRUNCATE)");
  const checkpointed = { bytes: fileSize(file), tables: tables() };
  db.exec("VACUUM");
  db.pragma("wal_checkpoint(TRUNCATE)");
  const vacuumed = { bytes: fileSize(file), tables: tables() };
  return {
    samples,
    series: one("SELECT count(*) AS n FROM series"),
    postings: one("SELECT count(*) AS n FROM postings"),
    closedChunks: one("SELECT count(*) AS n FROM chunks"),
    blockRows: one("SELECT count(*) AS n FROM blocks"),
    freePages: db.pragma("freelist_count", { simple: true }) as number,
    blobs,
    checkpointed,
    vacuumed,
  };
}

/** Seconds with half a millisecond more: Prometheus truncates float seconds × 1000. */
const omTimestamp = (ms: number) =>
  `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}5`;
const omValue = (v: number) =>
  Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v);
const omEscape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/**
 * The recorded samples as OpenMetrics text, one series after another (each in time order).
 * Staleness markers are left out: OpenMetrics has no way to write one.
 */
function writeOpenMetrics(recorded: Recorded, file: string): { samples: number; stale: number } {
  const fd = fs.openSync(file, "w");
  let samples = 0;
  let stale = 0;
  try {
    for (const s of recorded.values()) {
      const name = s.labels.find(([n]) => n === "__name__")![1];
      const rest = s.labels.filter(([n]) => n !== "__name__");
      const head = `${name}{${rest.map(([n, v]) => `${n}="${omEscape(v)}"`).join(",")}} `;
      const lines: string[] = [];
      for (let i = 0; i < s.t.length; i++) {
        if (isStaleNaN(s.v[i]!)) {
          stale++;
          continue;
        }
        lines.push(`${head}${omValue(s.v[i]!)} ${omTimestamp(s.t[i]!)}\n`);
        samples++;
      }
      fs.writeSync(fd, lines.join(""));
    }
    fs.writeSync(fd, "# EOF\n");
  } finally {
    fs.closeSync(fd);
  }
  return { samples, stale };
}

function du(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fileSize(path.join(entry.parentPath, entry.name));
  }
  return total;
}

/** Blocks in a TSDB directory: their time ranges and bytes (chunks and index apart). */
function blocks(dir: string) {
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, "meta.json")))
    .map((d) => {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, d, "meta.json"), "utf8")) as {
        minTime: number;
        maxTime: number;
        stats: { numSamples: number; numSeries: number };
        compaction: { level: number };
      };
      return {
        hours: round1((meta.maxTime - meta.minTime) / 3_600_000),
        level: meta.compaction.level,
        samples: meta.stats.numSamples,
        series: meta.stats.numSeries,
        chunks: du(path.join(dir, d, "chunks")),
        index: fileSize(path.join(dir, d, "index")),
        total: du(path.join(dir, d)),
      };
    })
    .sort((a, b) => a.samples - b.samples);
}

function sumBlocks(list: ReturnType<typeof blocks>) {
  return {
    blocks: list.length,
    hours: list.map((b) => b.hours),
    samples: list.reduce((n, b) => n + b.samples, 0),
    chunks: list.reduce((n, b) => n + b.chunks, 0),
    index: list.reduce((n, b) => n + b.index, 0),
    total: list.reduce((n, b) => n + b.total, 0),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Prometheus on the backfilled blocks (nothing to scrape) and waits until its
 * compactor has merged the 2-hour blocks as it would over a day of running, or 5 minutes.
 */
async function compactWithPrometheus(tsdb: string) {
  const prometheus = await startPrometheus({ dataDir: tsdb });
  try {
    const before = blocks(tsdb).length;
    let last = before;
    const started = performance.now();
    let stableSince = started;
    while (performance.now() - started < 300_000) {
      await sleep(2_000);
      const now = blocks(tsdb).length;
      if (now !== last) {
        last = now;
        stableSince = performance.now();
      }
      // It compacts a minute after start, then level by level each minute: a minute and
      // more without a change means it is done (or, from the start, has nothing to do).
      const still = performance.now() - stableSince;
      if ((now < before && still > 70_000) || (now === before && still > 150_000)) break;
    }
  } finally {
    await prometheus.stop();
  }
  // Prometheus's own files (WAL, lock, queries log) are not sample storage.
  return sumBlocks(blocks(tsdb));
}

async function prometheusFigures(recorded: Recorded, work: string) {
  const om = path.join(work, "day.om");
  const written = writeOpenMetrics(recorded, om);
  const tsdb = path.join(work, "tsdb");
  const t0 = performance.now();
  execFileSync(PROMTOOL_BIN, ["tsdb", "create-blocks-from", "openmetrics", "--quiet", om, tsdb], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const backfillSeconds = round1((performance.now() - t0) / 1000);
  const openMetricsMiB = round1(fileSize(om) / 1024 / 1024);
  fs.rmSync(om);
  const backfilled = sumBlocks(blocks(tsdb));
  const compacted = await compactWithPrometheus(tsdb);
  return { written, openMetricsMiB, backfillSeconds, backfilled, compacted };
}

async function measure(name: "demo" | "bench", sources: Source[], work: string) {
  const dir = path.join(work, name);
  const { db, writer, writeSeconds, compaction } = await writeDay(
    path.join(dir, "opsdeck"),
    name,
    sources,
  );
  try {
    const opsdeck = opsdeckFigures(db, path.join(dir, "opsdeck"));
    const prometheus = PROMETHEUS ? await prometheusFigures(writer.recorded, dir) : null;
    return { name, writeSeconds: round1(writeSeconds), compaction, opsdeck, prometheus };
  } finally {
    db.close();
  }
}

function report(r: Awaited<ReturnType<typeof measure>>) {
  const o = r.opsdeck;
  const per = (bytes: number, samples = o.samples) => (bytes / samples).toFixed(2);
  const t = o.checkpointed.tables;
  const tableBytes = (names: string[]) => names.reduce((n, k) => n + (t[k] ?? 0), 0);
  const blobBytes = o.blobs.blocks + o.blobs.chunks + o.blobs.head;
  const rows: [string, string, string][] = [
    [
      "metrics.db after wal_checkpoint(TRUNCATE)",
      `${o.checkpointed.bytes}`,
      per(o.checkpointed.bytes),
    ],
    ["metrics.db after VACUUM", `${o.vacuumed.bytes}`, per(o.vacuumed.bytes)],
    ["  chunk blobs (blocks + closed + open)", `${blobBytes}`, per(blobBytes)],
    [
      "  SQLite overhead (file − blobs)",
      `${o.checkpointed.bytes - blobBytes}`,
      per(o.checkpointed.bytes - blobBytes),
    ],
    ["  blocks table pages", `${tableBytes(["blocks"])}`, per(tableBytes(["blocks"]))],
    ["  chunks table pages", `${tableBytes(["chunks"])}`, per(tableBytes(["chunks"]))],
    ["  head table pages", `${tableBytes(["head"])}`, per(tableBytes(["head"]))],
    [
      "  series table + key index",
      `${tableBytes(["series", "sqlite_autoindex_series_1"])}`,
      per(tableBytes(["series", "sqlite_autoindex_series_1"])),
    ],
    ["  postings", `${tableBytes(["postings"])}`, per(tableBytes(["postings"]))],
  ];
  if (r.prometheus) {
    const p = r.prometheus;
    rows.push(
      [
        `Prometheus: ${p.backfilled.blocks} backfilled blocks (${p.backfilled.hours[0]} h)`,
        `${p.backfilled.total}`,
        per(p.backfilled.total, p.backfilled.samples),
      ],
      ["  chunks", `${p.backfilled.chunks}`, per(p.backfilled.chunks, p.backfilled.samples)],
      ["  index", `${p.backfilled.index}`, per(p.backfilled.index, p.backfilled.samples)],
      [
        `Prometheus: compacted, ${p.compacted.blocks} blocks (${p.compacted.hours.join(" + ")} h)`,
        `${p.compacted.total}`,
        per(p.compacted.total, p.compacted.samples),
      ],
      ["  chunks", `${p.compacted.chunks}`, per(p.compacted.chunks, p.compacted.samples)],
      ["  index", `${p.compacted.index}`, per(p.compacted.index, p.compacted.samples)],
    );
  }
  console.log(
    `\n${r.name}: ${o.samples} samples in ${o.series} series (${o.postings} postings, ${o.blockRows} block rows, ${o.closedChunks} closed chunks, ${o.freePages} free pages), ${HOURS} h at 15 s, written in ${r.writeSeconds} s${r.compaction ? ` (compaction ${r.compaction.seconds} s in ${r.compaction.batches} batches: median ${r.compaction.batchMs.median} ms, p99 ${r.compaction.batchMs.p99}, longest ${r.compaction.batchMs.max})` : ", not compacted"}${r.prometheus ? `; Prometheus read ${r.prometheus.written.samples} (${r.prometheus.written.stale} staleness markers left out)` : ""}`,
  );
  console.log(`${"".padEnd(52)}${"bytes".padStart(13)}${"B/sample".padStart(10)}`);
  for (const [label, bytes, b] of rows)
    console.log(`${label.padEnd(52)}${bytes.padStart(13)}${b.padStart(10)}`);
}

async function main() {
  const work = KEEP ?? fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-storage-"));
  if (KEEP) {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
  }
  try {
    const results = [
      await measure("demo", [await demoSource()], work),
      await measure("bench", benchSources(), work),
    ];
    for (const r of results) report(r);
    for (const r of results) {
      const o = r.opsdeck;
      const bytesPerSample = o.checkpointed.bytes / o.samples;
      const p = r.prometheus?.compacted;
      console.log(
        `${r.name}: metrics.db ${bytesPerSample.toFixed(2)} B/sample (goal ≤ ${GOAL_BYTES_PER_SAMPLE}: ${bytesPerSample <= GOAL_BYTES_PER_SAMPLE ? "met" : "missed"})${p ? `, ${(bytesPerSample / (p.total / p.samples)).toFixed(2)}× Prometheus's compacted blocks` : ""}`,
      );
    }
    console.log(
      `\nreference: Prometheus's TSDB ~${PROMETHEUS_REFERENCE} B/sample on typical data; goal for metrics.db ≤ ${GOAL_BYTES_PER_SAMPLE} B/sample`,
    );
    console.log(
      JSON.stringify(
        { date: new Date().toISOString(), hours: HOURS, targets: TARGETS, results },
        null,
        2,
      ),
    );
  } finally {
    if (!KEEP) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
