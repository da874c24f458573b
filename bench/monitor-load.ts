// npm run bench:uptime:load [-- --seconds 120 --monitors 1000 --warmup 15 --cpu-prof <dir>]
// What do many monitors cost? Starts a local HTTP target (a separate process, so its
// CPU is not counted), writes a config with N http monitors checked every 10 s with no
// retries, starts the production build on a fresh data dir and lets it run. Over the
// window after the warm-up (a whole number of check intervals) it reads Opsdeck's CPU
// (utime + stime from /proc, the process and any children), its RSS (sampled every
// 5 s), the check lateness histogram from /api/metrics and the checks stored. Needs an
// existing `npm run build`. Prints figures; asserts nothing. --cpu-prof <dir> also
// writes a V8 CPU profile of the server there (on exit).
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { benchConfigYaml, monitorId, parseFlags } from "./generate-history";
import {
  askTarget,
  cpuSeconds,
  forkTarget,
  histogramFrom,
  histogramQuantile,
  logTail,
  processTree,
  requireBuild,
  round1,
  rssBytes,
  startOpsdeck,
  stopChild,
  stopOpsdeck,
  type Histogram,
  type Opsdeck,
} from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const SECONDS = Number(flags.seconds ?? 120);
const WARMUP = Number(flags.warmup ?? 15);
const MONITORS = Number(flags.monitors ?? 1000);
const INTERVAL_S = 10;
const CPU_PROF = flags["cpu-prof"] ? path.resolve(flags["cpu-prof"]) : undefined;
const TARGETS = { cpuPercentMax: 25, latenessP99MsMax: 500 };
const LATENESS = "opsdeck_monitor_check_lateness_seconds";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = (t: number) => sleep(Math.max(0, t - performance.now()));

type Scrape = Histogram & { processCpu: number };

async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  const cpu = /^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1];
  return { ...histogramFrom(text, LATENESS), processCpu: Number(cpu ?? 0) };
}

const treeCpu = (pid: number) => processTree(pid).reduce((s, p) => s + cpuSeconds(p), 0);
const treeRss = (pid: number) => processTree(pid).reduce((s, p) => s + rssBytes(p), 0);

async function main() {
  requireBuild();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-load-"));
  let target: ChildProcess | undefined;
  let server: Opsdeck | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const cleanup = async () => {
    clearInterval(sampler);
    if (server) await stopOpsdeck(server);
    server = undefined;
    if (target) await stopChild(target, 5_000);
    target = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const t = await forkTarget(SECONDS + 600);
    target = t.child;
    const config = path.join(tmp, "opsdeck.load.yaml");
    fs.writeFileSync(
      config,
      benchConfigYaml({
        count: MONITORS,
        interval: `${INTERVAL_S}s`,
        perService: 50,
        paused: false,
        retries: 0,
        url: (i) => `http://127.0.0.1:${t.port}/${monitorId(i, MONITORS)}/health`,
        comment: `Written by bench/monitor-load.ts: ${MONITORS} http monitors every ${INTERVAL_S} s against a local target.`,
      }),
    );
    const dataDir = path.join(tmp, "data");
    console.error(
      `starting Opsdeck with ${MONITORS} monitors every ${INTERVAL_S} s for ${SECONDS} s (first ${WARMUP} s not measured)…`,
    );
    server = await startOpsdeck({
      dataDir,
      config,
      logFile: path.join(tmp, "server.log"),
      nodeArgs: CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`] : [],
    });
    const pid = server.pid;
    const t0 = performance.now();

    const rss: { t: number; bytes: number; processes: number }[] = [];
    const sample = () =>
      rss.push({
        t: (performance.now() - t0) / 1000,
        bytes: treeRss(pid),
        processes: processTree(pid).length,
      });
    sample();
    sampler = setInterval(sample, 5_000);

    await sleepUntil(t0 + WARMUP * 1000);
    const start = {
      wall: Date.now(),
      mono: performance.now(),
      cpu: treeCpu(pid),
      metrics: await scrape(server.url),
      requests: (await askTarget<{ requests: number }>(target, "stats")).requests,
    };
    // A whole number of check intervals: the engine spreads first checks over only 5 s,
    // so checks come in bursts, and a partial interval would over- or under-count.
    const windowEnd = WARMUP + Math.floor((SECONDS - WARMUP) / INTERVAL_S) * INTERVAL_S;
    await sleepUntil(t0 + windowEnd * 1000);
    const end = {
      wall: Date.now(),
      mono: performance.now(),
      cpu: treeCpu(pid),
      metrics: await scrape(server.url),
      requests: (await askTarget<{ requests: number }>(target, "stats")).requests,
    };
    await sleepUntil(t0 + SECONDS * 1000);
    clearInterval(sampler);
    sample();

    // The recorder stores checks once a second; give the last batch time to land.
    await sleep(2_500);
    const db = new Database(path.join(dataDir, "opsdeck.db"), { readonly: true });
    const stored = db
      .prepare(
        "select count(*) as n, sum(status = 'down') as down from check_results where at >= ? and at < ?",
      )
      .get(start.wall, end.wall) as { n: number; down: number | null };
    const errors = db
      .prepare(
        "select error, count(*) as n from check_results where status = 'down' group by error order by n desc limit 3",
      )
      .all() as { error: string; n: number }[];
    db.close();

    const windowS = (end.mono - start.mono) / 1000;
    const cpuS = end.cpu - start.cpu;
    const deltas = end.metrics.buckets.map(
      ([le, cum], i) => [le, cum - (start.metrics.buckets[i]?.[1] ?? 0)] as [number, number],
    );
    const lateCount = end.metrics.count - start.metrics.count;
    const q = (p: number) => {
      const v = histogramQuantile(p, deltas);
      return v === null ? null : Math.round(v * 1000);
    };
    const expected = (MONITORS * windowS) / INTERVAL_S;
    const inWindow = rss.filter((s) => s.t >= WARMUP && s.t <= windowEnd);
    const result = {
      date: new Date().toISOString(),
      monitors: MONITORS,
      intervalSeconds: INTERVAL_S,
      runSeconds: SECONDS,
      warmupSeconds: WARMUP,
      windowSeconds: round1(windowS),
      cpu: {
        seconds: +cpuS.toFixed(2),
        percentOfOneCore: round1((100 * cpuS) / windowS),
        fromMetricsPercent: round1(
          (100 * (end.metrics.processCpu - start.metrics.processCpu)) / windowS,
        ),
        msPerCheck: stored.n ? +((1000 * cpuS) / stored.n).toFixed(2) : null,
        processes: Math.max(...rss.map((s) => s.processes)),
      },
      rssMiB: {
        max: round1(Math.max(...inWindow.map((s) => s.bytes)) / 1048576),
        atEnd: round1(rss.at(-1)!.bytes / 1048576),
        samples: inWindow.length,
      },
      latenessMs: {
        p50: q(0.5),
        p99: q(0.99),
        mean: lateCount
          ? Math.round((1000 * (end.metrics.sum - start.metrics.sum)) / lateCount)
          : null,
        checksStarted: lateCount,
        /** Checks started in the window per bucket (not cumulative): upper bound in s, count. */
        buckets: deltas.map(([le, cum], i) => ({
          le: le === Infinity ? "+Inf" : le,
          n: cum - (deltas[i - 1]?.[1] ?? 0),
        })),
      },
      checks: {
        stored: stored.n,
        expected: Math.round(expected),
        ratio: +(stored.n / expected).toFixed(3),
        down: stored.down ?? 0,
        topErrors: errors,
        targetRequests: end.requests - start.requests,
      },
      targets: TARGETS,
      met: {
        cpu: (100 * cpuS) / windowS < TARGETS.cpuPercentMax,
        latenessP99: (q(0.99) ?? Infinity) < TARGETS.latenessP99MsMax,
      },
    };

    const line = (k: string, v: string) => console.log(`${k.padEnd(30)}${v}`);
    console.log(
      `\n${MONITORS} http monitors every ${INTERVAL_S} s; window ${result.windowSeconds} s after ${WARMUP} s warm-up\n`,
    );
    line(
      "CPU (% of one core)",
      `${result.cpu.percentOfOneCore} %  (target < ${TARGETS.cpuPercentMax} %; metrics say ${result.cpu.fromMetricsPercent} %)`,
    );
    line("CPU per stored check", `${result.cpu.msPerCheck} ms`);
    line("RSS max / at end", `${result.rssMiB.max} / ${result.rssMiB.atEnd} MiB`);
    line(
      "check lateness p50 / p99",
      `${result.latenessMs.p50} / ${result.latenessMs.p99} ms  (target p99 < ${TARGETS.latenessP99MsMax} ms; mean ${result.latenessMs.mean} ms)`,
    );
    line(
      "checks stored / expected",
      `${stored.n} / ${Math.round(expected)} (${(100 * result.checks.ratio).toFixed(1)} %), ${result.checks.down} down`,
    );
    console.log(JSON.stringify(result, null, 2));
  } catch (err) {
    if (server) console.error(`server log (tail):\n${logTail(server.logFile)}`);
    throw err;
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
