// npm run bench:metrics:ingest [-- --seconds 300 --warmup 60 --targets 50 --monitors 1000 --modes without,with --profile DIR]
// Does scraping slow the uptime checks, and what does it cost? Starts a local HTTP target
// for monitors (bench/target-server.mjs) and `--targets` scrape targets of 1,000 series
// each (bench/metrics-target-server.ts, one port each, values moving on every scrape),
// both in their own processes on 127.0.0.1, and runs the production build twice, each on
// a fresh data directory with the same 1,000 http monitors every 10 s:
//   without  no scrape targets;
//   with     the targets scraped every 15 s (50 × 1,004 samples every 15 s ≈ 3,347/s).
// Over a window of whole check and scrape intervals after the warm-up it measures the
// Opsdeck process's CPU (and per thread, from /proc/<pid>/task/*: the engine threads name
// themselves opsdeck-engine, opsdeck-jobs and opsdeck-metrics), its RSS, how late each
// uptime check reached its target (as bench/engine-load.ts does), how late each scrape
// reached its target against its slot, and after the server stopped, the samples and
// series in metrics.db and how many scrapes were stamped exactly on their slot.
// `--profile DIR` runs the second server under `node --cpu-prof`. Needs an existing
// `npm run build`. Loopback only; stops by itself. Prints figures; asserts nothing.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { RawReader } from "@/server/tsdb/raw-read";
import { scrapeOffsetMs } from "@/server/tsdb/scraper";
import { benchConfigYaml, monitorId, parseFlags } from "./generate-history";
import { SERIES_PER_TARGET } from "./metrics-series";
import {
  arrivalLateness,
  askTarget,
  cpuSeconds,
  forkReady,
  forkTarget,
  histogramDelta,
  histogramFrom,
  histogramQuantile,
  latencyStats,
  logTail,
  processTree,
  requireBuild,
  ROOT,
  round1,
  rssBytes,
  startOpsdeck,
  stopChild,
  stopOpsdeck,
  type Histogram,
  type Opsdeck,
} from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const SECONDS = Number(flags.seconds ?? 300);
const WARMUP = Number(flags.warmup ?? 60);
const TARGETS = Number(flags.targets ?? 50);
const MONITORS = Number(flags.monitors ?? 1000);
const PROFILE = flags.profile ? path.resolve(flags.profile) : undefined;
/** `--modes with` runs only the run with scrapes (e.g. a window long enough for chunk cuts). */
const MODES = (flags.modes ?? "without,with").split(",") as Mode[];
const CHECK_MS = 10_000;
const SCRAPE_MS = 15_000;
const JOB = "bench";
/** Synthetic series every scrape adds: up, scrape_duration_seconds, scrape_samples_*. */
const SYNTHETIC = 4;
const TARGET_RATIO = 1.2;
const TARGET_CPU_PERCENT = 10;
const LATENESS = "opsdeck_monitor_check_lateness_seconds";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = (t: number) => sleep(Math.max(0, t - performance.now()));
const MiB = (b: number) => round1(b / 1024 / 1024);

type Mode = "without" | "with";

/** CPU seconds per thread of a process, by name: the engine threads name themselves. */
function threadCpu(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const name = comm.startsWith("opsdeck-")
        ? comm.slice("opsdeck-".length)
        : Number(tid) === pid
          ? "http"
          : "helpers";
      out[name] = (out[name] ?? 0) + cpuSeconds(Number(tid), `/proc/${pid}/task/${tid}/stat`);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

const treeCpu = (pid: number) => processTree(pid).reduce((s, p) => s + cpuSeconds(p), 0);

async function checkLateness(url: string): Promise<Histogram> {
  return histogramFrom(await (await fetch(`${url}/api/metrics`)).text(), LATENESS);
}

/** How late each scrape reached its target against its slot (offset + k × interval), ms. */
function scrapeLateness(arrivals: Record<string, number[]>): number[] {
  const out: number[] = [];
  for (const [port, times] of Object.entries(arrivals)) {
    const offset = scrapeOffsetMs({
      job: JOB,
      instance: `127.0.0.1:${port}`,
      intervalMs: SCRAPE_MS,
    });
    for (const t of times) {
      const k = Math.round((t - offset) / SCRAPE_MS);
      out.push(t - (k * SCRAPE_MS + offset));
    }
  }
  return out;
}

/** What metrics.db holds once the server has stopped (and flushed). */
function storedFigures(dataDir: string) {
  const file = path.join(dataDir, "metrics.db");
  if (!fs.existsSync(file)) return null;
  const db = new Database(file, { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
    // Open chunks, closed ones and the compacted block rows they are merged into.
    const samples =
      count("SELECT sum(count) AS n FROM head") +
      count("SELECT sum(count) AS n FROM chunks") +
      count("SELECT sum(count) AS n FROM blocks");
    // Every scrape's `up` sample: on its slot when the scrape started within the tolerance.
    const ups = db.prepare("SELECT id, key FROM series WHERE name = 'up'").all() as {
      id: number;
      key: string;
    }[];
    const raw = new RawReader(db);
    let scrapes = 0;
    let onSlot = 0;
    for (const up of ups) {
      const instance = (JSON.parse(up.key) as [string, string][]).find(
        ([n]) => n === "instance",
      )![1];
      const offset = scrapeOffsetMs({ job: JOB, instance, intervalMs: SCRAPE_MS });
      for (const t of raw.read(up.id, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).t) {
        scrapes++;
        if ((t - offset) % SCRAPE_MS === 0) onSlot++;
      }
    }
    return {
      samples,
      series: count("SELECT count(*) AS n FROM series"),
      chunks: count("SELECT count(*) AS n FROM chunks"),
      blockRows: count("SELECT count(*) AS n FROM blocks"),
      scrapesStored: scrapes,
      scrapesOnSlot: onSlot,
      fileMiB: MiB(
        fs.statSync(file).size + (fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0),
      ),
    };
  } finally {
    db.close();
  }
}

function configYaml(checkPort: number, scrapePorts: number[]): string {
  const yaml = benchConfigYaml({
    count: MONITORS,
    interval: `${CHECK_MS / 1000}s`,
    perService: 50,
    paused: false,
    retries: 0,
    url: (i) => `http://127.0.0.1:${checkPort}/${monitorId(i, MONITORS)}/health`,
    comment: `Written by bench/metrics-ingest.ts: ${MONITORS} http monitors every 10 s${scrapePorts.length ? `, ${scrapePorts.length} scrape targets every 15 s` : ""}.`,
  });
  if (scrapePorts.length === 0) return yaml;
  return (
    yaml +
    [
      "scrape:",
      `  interval: ${SCRAPE_MS / 1000}s`,
      "  targets:",
      `    - id: ${JOB}`,
      "      service: svc-00",
      "      environment: production",
      "      urls:",
      ...scrapePorts.map((p) => `        - http://127.0.0.1:${p}/metrics`),
    ].join("\n") +
    "\n"
  );
}

async function measure(opts: {
  mode: Mode;
  tmp: string;
  checks: ChildProcess;
  checkPort: number;
  scrapes: ChildProcess;
  scrapePorts: number[];
}) {
  const dataDir = path.join(opts.tmp, opts.mode);
  fs.mkdirSync(dataDir);
  const config = path.join(opts.tmp, `opsdeck.${opts.mode}.yaml`);
  fs.writeFileSync(
    config,
    configYaml(opts.checkPort, opts.mode === "with" ? opts.scrapePorts : []),
  );
  const logFile = path.join(opts.tmp, `${opts.mode}.log`);
  const profile = PROFILE && opts.mode === "with";
  if (profile) fs.mkdirSync(PROFILE, { recursive: true });
  console.error(`[${opts.mode}] starting…`);
  // Before the start: the metrics thread may scrape before /api/health answers.
  const { served: servedBefore } = await askTarget<{ served: number }>(opts.scrapes, "stats");
  const server: Opsdeck = await startOpsdeck({
    dataDir,
    config,
    logFile,
    nodeArgs: profile ? ["--cpu-prof", "--cpu-prof-dir", PROFILE] : [],
  });
  try {
    await sleep(WARMUP * 1000);
    await askTarget(opts.checks, "arrivals"); // forget the warm-up's
    await askTarget(opts.scrapes, "arrivals");
    const start = {
      load: os.loadavg()[0]!,
      mono: performance.now(),
      cpu: treeCpu(server.pid),
      threads: threadCpu(server.pid),
      lateness: await checkLateness(server.url),
    };
    // Whole check and scrape intervals (both divide 30 s).
    const until = start.mono + Math.max(30_000, Math.floor(SECONDS / 30) * 30_000);
    const rss: number[] = [];
    while (performance.now() < until) {
      rss.push(rssBytes(server.pid));
      await sleepUntil(Math.min(until, performance.now() + 5_000));
    }
    const [{ arrivals: checkArrivals }, { arrivals: scrapeArrivals }] = await Promise.all([
      askTarget<{ arrivals: Record<string, number[]> }>(opts.checks, "arrivals"),
      askTarget<{ arrivals: Record<string, number[]> }>(opts.scrapes, "arrivals"),
    ]);
    const end = {
      load: os.loadavg()[0]!,
      mono: performance.now(),
      cpu: treeCpu(server.pid),
      threads: threadCpu(server.pid),
      lateness: await checkLateness(server.url),
    };
    rss.push(rssBytes(server.pid));
    const windowS = (end.mono - start.mono) / 1000;
    const share = (cpu: number) => round1((100 * cpu) / windowS);
    const threads = Object.fromEntries(
      Object.keys(end.threads)
        .sort()
        .map((name) => [name, share(end.threads[name]! - (start.threads[name] ?? 0))]),
    );
    const lateness = histogramDelta(start.lateness, end.lateness);
    const histMs = (q: number) => {
      const v = histogramQuantile(q, lateness.buckets);
      return v === null ? null : Math.round(v * 1000);
    };
    const scrapesInWindow = Object.values(scrapeArrivals).reduce((n, t) => n + t.length, 0);
    await stopOpsdeck(server);
    const { served: servedAfter } = await askTarget<{ served: number }>(opts.scrapes, "stats");
    const stored = storedFigures(dataDir);
    return {
      mode: opts.mode,
      windowSeconds: round1(windowS),
      /** The machine's 1-minute load average at the window's start and end (2 cores). */
      loadAverage: [round1(start.load), round1(end.load)],
      cpuPercentOfOneCore: share(end.cpu - start.cpu),
      threadCpuPercent: threads,
      rssMiB: { end: MiB(rss.at(-1)!), max: MiB(Math.max(...rss)) },
      checkLatenessMs: latencyStats(arrivalLateness(checkArrivals, CHECK_MS)),
      checksAtTarget: Object.values(checkArrivals).reduce((n, t) => n + t.length, 0),
      checksExpected: Math.round((MONITORS * windowS * 1000) / CHECK_MS),
      engineHistogramMs: { p50: histMs(0.5), p99: histMs(0.99), count: lateness.count },
      scrapeLatenessMs: latencyStats(scrapeLateness(scrapeArrivals)),
      scrapesInWindow,
      scrapesExpected:
        opts.mode === "with" ? Math.round((TARGETS * windowS * 1000) / SCRAPE_MS) : 0,
      scrapesServed: servedAfter - servedBefore,
      samplesExpected: (servedAfter - servedBefore) * (SERIES_PER_TARGET + SYNTHETIC),
      stored,
    };
  } catch (err) {
    console.error(`server log (tail):\n${logTail(logFile)}`);
    throw err;
  } finally {
    await stopOpsdeck(server);
  }
}

async function main() {
  requireBuild();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-ingest-"));
  const children: ChildProcess[] = [];
  const cleanup = async () => {
    for (const c of children.splice(0)) await stopChild(c, 5_000);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const maxSeconds = 2 * (SECONDS + WARMUP + 240);
    const checks = await forkTarget(maxSeconds);
    children.push(checks.child);
    const scrapes = await forkReady<{ ports: number[] }>(
      path.join(ROOT, "bench", "metrics-target-server.ts"),
      ["--targets", String(TARGETS), "--max-seconds", String(maxSeconds)],
    );
    children.push(scrapes.child);
    const results: Awaited<ReturnType<typeof measure>>[] = [];
    for (const mode of MODES) {
      results.push(
        await measure({
          mode,
          tmp,
          checks: checks.child,
          checkPort: checks.port,
          scrapes: scrapes.child,
          scrapePorts: scrapes.ready.ports,
        }),
      );
      console.error(JSON.stringify(results.at(-1)));
    }

    const without = results.find((r) => r.mode === "without");
    const withScrapes = results.find((r) => r.mode === "with");
    console.log(
      `\n${MONITORS} http monitors every 10 s; "with" adds ${TARGETS} targets × ${SERIES_PER_TARGET} series every 15 s; window ${results[0]!.windowSeconds} s after ${WARMUP} s warm-up\n`,
    );
    const pad = (v: unknown, n: number) => String(v ?? "—").padStart(n);
    const threadNames = [...new Set(results.flatMap((r) => Object.keys(r.threadCpuPercent)))];
    console.log(
      `${"run".padEnd(9)}${pad("check p50", 10)}${pad("p99", 7)}${pad("max", 7)}${pad("hist p99", 9)}${pad("checks", 14)}${pad("CPU %", 7)}${threadNames.map((t) => pad(t, Math.max(8, t.length + 1))).join("")}${pad("RSS MiB", 8)}${pad("max", 6)}${pad("scrape p50", 11)}${pad("p99", 7)}${pad("max", 7)}${pad("scrapes", 11)}`,
    );
    for (const r of results) {
      console.log(
        `${r.mode.padEnd(9)}${pad(r.checkLatenessMs?.median, 10)}${pad(r.checkLatenessMs?.p99, 7)}${pad(r.checkLatenessMs?.max, 7)}${pad(r.engineHistogramMs.p99, 9)}${pad(`${r.checksAtTarget}/${r.checksExpected}`, 14)}${pad(r.cpuPercentOfOneCore, 7)}${threadNames.map((t) => pad(r.threadCpuPercent[t], Math.max(8, t.length + 1))).join("")}${pad(r.rssMiB.end, 8)}${pad(r.rssMiB.max, 6)}${pad(r.scrapeLatenessMs?.median, 11)}${pad(r.scrapeLatenessMs?.p99, 7)}${pad(r.scrapeLatenessMs?.max, 7)}${pad(`${r.scrapesInWindow}/${r.scrapesExpected}`, 11)}`,
      );
    }
    const ratio =
      without && withScrapes
        ? +(
            (withScrapes.checkLatenessMs?.p99 ?? NaN) / (without.checkLatenessMs?.p99 ?? NaN)
          ).toFixed(2)
        : null;
    const extraCpu =
      without && withScrapes
        ? round1(withScrapes.cpuPercentOfOneCore - without.cpuPercentOfOneCore)
        : null;
    if (ratio !== null && extraCpu !== null) {
      console.log(
        `\nuptime check p99 with / without scrapes = ${ratio} (goal ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? "met" : "missed"})`,
      );
      console.log(
        `CPU the scrapes add: ${extraCpu} % of one core; metrics thread ${withScrapes!.threadCpuPercent.metrics ?? "—"} % (goal < ${TARGET_CPU_PERCENT} %: ${extraCpu < TARGET_CPU_PERCENT ? "met" : "missed"})`,
      );
    }
    const s = withScrapes?.stored;
    if (s)
      console.log(
        `stored: ${s.samples} samples (${withScrapes!.samplesExpected} scraped) in ${s.series} series, ${s.chunks} closed chunks, ${s.fileMiB} MiB; scrapes stamped on their slot: ${s.scrapesOnSlot}/${s.scrapesStored}`,
      );
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          monitors: MONITORS,
          targets: TARGETS,
          seriesPerTarget: SERIES_PER_TARGET,
          warmupSeconds: WARMUP,
          results,
          ratio,
          extraCpuPercent: extraCpu,
        },
        null,
        2,
      ),
    );
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
