// npm run bench:engine [-- --before <checkout> --seconds 100 --warmup 20 --monitors 1000 --clients 20 --history-days 1]
// Do busy pages delay uptime checks? Generates a database with a day of history for N
// monitors, starts a local HTTP target (its own process; a few monitors point at a path
// that answers 503, so alerts fire and the Alerts page has something to show) and runs
// the production build twice on copies of that database, each time with the N monitors
// checked every 10 s:
//   idle    nothing else happens;
//   loaded  `--clients` signed-in clients fetch the Overview and the Alerts page back to
//           back as fast as they can, and the maintenance job runs over and over.
// Over a window of whole check intervals after the warm-up it measures how late each
// check reached the target (the target records arrivals; for each monitor, lateness is
// how much later than its earliest-on-schedule check each check arrived), the engine's
// own lateness histogram, page times at the client and in the server's histogram, CPU
// and the maintenance runs. With `--before <checkout>` (a clone of another commit with
// its own `npm run build`) it measures that build the same way first. Needs an existing
// `npm run build`. Loopback only; stops by itself. Prints figures; asserts nothing.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { benchConfigYaml, generateHistory, monitorId, parseFlags } from "./generate-history";
import {
  ADMIN,
  arrivalLateness,
  askTarget,
  cpuSeconds,
  forkTarget,
  histogramDelta,
  histogramFrom,
  histogramQuantile,
  latencyStats as stats,
  logTail,
  processTree,
  requireBuild,
  ROOT,
  round1,
  signIn,
  startOpsdeck,
  stopChild,
  stopOpsdeck,
  type Histogram,
  type LatencyStats as Stats,
  type Opsdeck,
} from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const SECONDS = Number(flags.seconds ?? 100);
const WARMUP = Number(flags.warmup ?? 20);
const MONITORS = Number(flags.monitors ?? 1000);
const CLIENTS = Number(flags.clients ?? 20);
const HISTORY_DAYS = Number(flags["history-days"] ?? 1);
const BEFORE = flags.before ? path.resolve(flags.before) : undefined;
const INTERVAL_MS = 10_000;
/** Every 100th monitor (m-007, m-107, …) points at a path that answers 503. */
const isDown = (i: number) => i % 100 === 7;
const PAGES = ["/", "/alerts"] as const;
const TARGET_RATIO = 1.2;
const LATENESS = "opsdeck_monitor_check_lateness_seconds";
const HTTP = "opsdeck_http_request_duration_seconds";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = (t: number) => sleep(Math.max(0, t - performance.now()));
const treeCpu = (pid: number) => processTree(pid).reduce((s, p) => s + cpuSeconds(p), 0);

const ALERTS_YAML = `alerts:
  evaluationInterval: 15s
  rules:
    - { id: service-down, name: Service down, severity: critical, condition: { type: monitor, status: [down] } }
    - id: slow-responses
      name: Slow responses
      severity: warning
      condition: { type: latency, percentile: 95, threshold: 1s, window: 5m }
      for: 5m
    - id: uptime-slo
      name: Uptime below 99.9%
      severity: warning
      condition: { type: uptime, window: 30d, target: 99.9 }
      for: 10m
`;

type Mode = "idle" | "loaded";
/** Keeps one maintenance job queued or running until stopped; returns the finished runs' durations. */
function maintenanceLoop(dbFile: string): { stop: () => { runs: number; seconds: number[] } } {
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 5000");
  const active = db.prepare(
    "select count(*) as n from jobs where kind = 'db.maintenance' and status in ('queued', 'running')",
  );
  const queue = db.prepare(
    "insert into jobs (kind, params, status, requested_by_name, created_at) values ('db.maintenance', '{}', 'queued', 'bench', ?)",
  );
  const since = Date.now();
  const tick = () => {
    if ((active.get() as { n: number }).n === 0) queue.run(Date.now());
  };
  tick();
  const timer = setInterval(tick, 100);
  return {
    stop() {
      clearInterval(timer);
      const done = db
        .prepare(
          "select status, started_at as s, finished_at as f from jobs where kind = 'db.maintenance' and created_at >= ? and finished_at is not null",
        )
        .all(since) as { status: string; s: number; f: number }[];
      db.close();
      return {
        runs: done.filter((r) => r.status === "succeeded").length,
        seconds: done.map((r) => (r.f - r.s) / 1000),
      };
    },
  };
}

/** `clients` loops, each fetching the pages in turn until `until`; ms to the full body. */
async function loadPages(url: string, cookie: string, until: number) {
  const samples: Record<string, number[]> = Object.fromEntries(PAGES.map((p) => [p, []]));
  let failures = 0;
  const client = async (i: number) => {
    for (let n = i; performance.now() < until; n++) {
      const page = PAGES[n % PAGES.length]!;
      const t0 = performance.now();
      const res = await fetch(url + page, { headers: { cookie }, redirect: "manual" });
      await res.arrayBuffer();
      if (res.status === 200) samples[page]!.push(performance.now() - t0);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  return { samples, failures };
}

async function scrape(url: string): Promise<{ lateness: Histogram; overview: Histogram }> {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  return {
    lateness: histogramFrom(text, LATENESS),
    overview: histogramFrom(text, HTTP, 'method="GET",route="/",status="200"'),
  };
}

const ms = (h: Histogram, q: number) => {
  const v = histogramQuantile(q, h.buckets);
  return v === null ? null : Math.round(v * 1000);
};

async function measure(opts: {
  build: string;
  root: string;
  mode: Mode;
  baseDir: string;
  config: string;
  target: ChildProcess;
  tmp: string;
}) {
  const dataDir = path.join(opts.tmp, `${opts.build}-${opts.mode}`);
  fs.mkdirSync(dataDir);
  fs.copyFileSync(path.join(opts.baseDir, "opsdeck.db"), path.join(dataDir, "opsdeck.db"));
  const logFile = path.join(opts.tmp, `${opts.build}-${opts.mode}.log`);
  console.error(`[${opts.build}/${opts.mode}] starting ${opts.root}…`);
  const server: Opsdeck = await startOpsdeck({
    dataDir,
    config: opts.config,
    logFile,
    root: opts.root,
  });
  try {
    const cookie =
      opts.mode === "loaded" ? await signIn(server.url, ADMIN.email, ADMIN.password) : "";
    const t0 = performance.now();
    await sleepUntil(t0 + WARMUP * 1000);
    await askTarget(opts.target, "arrivals"); // forget the warm-up's
    const start = {
      mono: performance.now(),
      cpu: treeCpu(server.pid),
      ...(await scrape(server.url)),
    };
    const windowMs = Math.floor(SECONDS / (INTERVAL_MS / 1000)) * INTERVAL_MS;
    const until = start.mono + windowMs;
    let pages: Awaited<ReturnType<typeof loadPages>> | undefined;
    let maintenance: { runs: number; seconds: number[] } | undefined;
    if (opts.mode === "loaded") {
      const loop = maintenanceLoop(path.join(dataDir, "opsdeck.db"));
      pages = await loadPages(server.url, cookie, until);
      maintenance = loop.stop();
    }
    await sleepUntil(until);
    const { arrivals } = await askTarget<{ arrivals: Record<string, number[]> }>(
      opts.target,
      "arrivals",
    );
    const end = {
      mono: performance.now(),
      cpu: treeCpu(server.pid),
      ...(await scrape(server.url)),
    };
    const windowS = (end.mono - start.mono) / 1000;
    const lateness = histogramDelta(start.lateness, end.lateness);
    const overview = histogramDelta(start.overview, end.overview);
    const upMonitors =
      MONITORS - Array.from({ length: MONITORS }, (_, i) => i).filter(isDown).length;
    return {
      build: opts.build,
      mode: opts.mode,
      windowSeconds: round1(windowS),
      cpuPercentOfOneCore: round1((100 * (end.cpu - start.cpu)) / windowS),
      arrivalLatenessMs: stats(arrivalLateness(arrivals, INTERVAL_MS)),
      checksAtTarget: Object.entries(arrivals)
        .filter(([u]) => !u.startsWith("/down/"))
        .reduce((s, [, t]) => s + t.length, 0),
      checksExpected: Math.round((upMonitors * windowS * 1000) / INTERVAL_MS),
      engineHistogramMs: { p50: ms(lateness, 0.5), p99: ms(lateness, 0.99), count: lateness.count },
      pages: pages
        ? {
            failures: pages.failures,
            clientMs: Object.fromEntries(
              PAGES.map((p) => [p, stats(pages!.samples[p]!)]),
            ) as Record<(typeof PAGES)[number], Stats | null>,
            overviewServerHistogramMs: {
              p50: ms(overview, 0.5),
              p95: ms(overview, 0.95),
              count: overview.count,
            },
          }
        : null,
      maintenance: maintenance
        ? { runs: maintenance.runs, secondsEach: stats(maintenance.seconds) }
        : null,
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
  if (BEFORE) requireBuild(BEFORE);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-engine-"));
  let target: ChildProcess | undefined;
  const cleanup = async () => {
    if (target) await stopChild(target, 5_000);
    target = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    console.error(`generating ${MONITORS} monitors × ${HISTORY_DAYS} day(s) of history…`);
    const history = generateHistory({
      dir: path.join(tmp, "base"),
      monitors: MONITORS,
      days: HISTORY_DAYS,
      intervalMs: 60_000,
      seed: 1,
    });
    const t = await forkTarget(4 * (SECONDS + WARMUP + 240));
    target = t.child;
    const config = path.join(tmp, "opsdeck.engine.yaml");
    fs.writeFileSync(
      config,
      benchConfigYaml({
        count: MONITORS,
        interval: `${INTERVAL_MS / 1000}s`,
        perService: 50,
        paused: false,
        retries: 0,
        url: (i) =>
          `http://127.0.0.1:${t.port}/${isDown(i) ? "down/" : ""}${monitorId(i, MONITORS)}/health`,
        comment: `Written by bench/engine-load.ts: ${MONITORS} http monitors every 10 s against a local target.`,
      }) + ALERTS_YAML,
    );
    const builds: [string, string][] = [
      ...(BEFORE ? ([["before", BEFORE]] as [string, string][]) : []),
      ["after", ROOT],
    ];
    const results: Awaited<ReturnType<typeof measure>>[] = [];
    for (const [build, root] of builds) {
      for (const mode of ["idle", "loaded"] as const) {
        results.push(
          await measure({ build, root, mode, baseDir: history.dir, config, target: t.child, tmp }),
        );
        console.error(JSON.stringify(results.at(-1)));
      }
    }

    console.log(
      `\n${MONITORS} http monitors every 10 s, ${HISTORY_DAYS} day(s) of history; window ${results[0]!.windowSeconds} s after ${WARMUP} s warm-up; loaded = ${CLIENTS} clients on ${PAGES.join(" and ")} + maintenance back to back\n`,
    );
    const pad = (v: unknown, n: number) => String(v ?? "—").padStart(n);
    console.log(
      `${"run".padEnd(14)}${pad("late p50", 9)}${pad("p99", 8)}${pad("max", 8)}${pad("hist p99", 9)}${pad("checks", 13)}${pad("CPU %", 7)}${pad("/ p95", 8)}${pad("/alerts p95", 12)}${pad("/ srv p95", 10)}${pad("maint.", 7)}`,
    );
    for (const r of results) {
      console.log(
        `${`${r.build}/${r.mode}`.padEnd(14)}${pad(r.arrivalLatenessMs?.median, 9)}${pad(r.arrivalLatenessMs?.p99, 8)}${pad(r.arrivalLatenessMs?.max, 8)}${pad(r.engineHistogramMs.p99, 9)}${pad(`${r.checksAtTarget}/${r.checksExpected}`, 13)}${pad(r.cpuPercentOfOneCore, 7)}${pad(r.pages?.clientMs["/"]?.p95, 8)}${pad(r.pages?.clientMs["/alerts"]?.p95, 12)}${pad(r.pages?.overviewServerHistogramMs.p95, 10)}${pad(r.maintenance?.runs, 7)}`,
      );
    }
    const ratios = builds.map(([build]) => {
      const idle = results.find((r) => r.build === build && r.mode === "idle")!;
      const loaded = results.find((r) => r.build === build && r.mode === "loaded")!;
      const ratio = +(
        (loaded.arrivalLatenessMs?.p99 ?? NaN) / (idle.arrivalLatenessMs?.p99 ?? NaN)
      ).toFixed(2);
      return { build, loadedOverIdleP99: ratio, withinTarget: ratio <= TARGET_RATIO };
    });
    for (const r of ratios)
      console.log(
        `${r.build}: loaded / idle p99 lateness = ${r.loadedOverIdleP99} (target ≤ ${TARGET_RATIO}: ${r.withinTarget ? "met" : "missed"})`,
      );
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          monitors: MONITORS,
          clients: CLIENTS,
          historyDays: HISTORY_DAYS,
          databaseMiB: history.databaseMiB,
          warmupSeconds: WARMUP,
          results,
          ratios,
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
