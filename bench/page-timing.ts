// npm run bench:uptime:pages [-- --monitors 50 --requests 50 --warmup 10 --seed 1]
// Does a long history slow the uptime pages down? Generates two databases (N monitors
// checked every 30 s: 1 day and 90 days of history, retention applied), then starts the
// production build on each in turn, signs in and times GET /, /uptime and
// /uptime/m-000?range=90d (time to the full body, sequential requests). Needs an existing
// `npm run build`. Prints figures; asserts nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateHistory, monitorId, parseFlags, type HistoryReport } from "./generate-history";
import {
  ADMIN,
  percentile,
  requireBuild,
  round1,
  signIn,
  startOpsdeck,
  stopOpsdeck,
  type Opsdeck,
} from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const MONITORS = Number(flags.monitors ?? 50);
const REQUESTS = Number(flags.requests ?? 50);
const WARMUP = Number(flags.warmup ?? 10);
const SEED = Number(flags.seed ?? 1);
const INTERVAL_MS = 30_000;
const TARGETS = { ratioMax: 1.5, medianMaxMs: 150 };

const PAGES = ["/", "/uptime", `/uptime/${monitorId(0, MONITORS)}?range=90d`];

type Timing = { medianMs: number; p95Ms: number; minMs: number; bytes: number };

async function timeGet(url: string, cookie: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const body = await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status} (expected 200)`);
  return { ms, bytes: body.byteLength };
}

async function measure(server: Opsdeck): Promise<Record<string, Timing>> {
  const cookie = await signIn(server.url, ADMIN.email, ADMIN.password);
  const out: Record<string, Timing> = {};
  for (const page of PAGES) {
    for (let i = 0; i < WARMUP; i++) await timeGet(server.url + page, cookie);
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const r = await timeGet(server.url + page, cookie);
      samples.push(r.ms);
      bytes = r.bytes;
    }
    samples.sort((a, b) => a - b);
    out[page] = {
      medianMs: round1(percentile(samples, 0.5)),
      p95Ms: round1(percentile(samples, 0.95)),
      minMs: round1(samples[0]!),
      bytes,
    };
  }
  return out;
}

async function main() {
  requireBuild();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-pages-"));
  let server: Opsdeck | undefined;
  const cleanup = async () => {
    if (server) await stopOpsdeck(server);
    server = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const histories: Record<"1d" | "90d", HistoryReport> = {} as never;
    for (const [key, days] of [
      ["1d", 1],
      ["90d", 90],
    ] as const) {
      console.error(`generating ${MONITORS} monitors × ${days} day(s) of history…`);
      histories[key] = generateHistory({
        dir: path.join(tmp, key),
        monitors: MONITORS,
        days,
        intervalMs: INTERVAL_MS,
        seed: SEED,
      });
    }

    const results: Record<"1d" | "90d", Record<string, Timing>> = {} as never;
    for (const key of ["1d", "90d"] as const) {
      const h = histories[key];
      console.error(`starting Opsdeck on the ${key} database…`);
      server = await startOpsdeck({
        dataDir: h.dir,
        config: h.configFile,
        logFile: path.join(tmp, `server-${key}.log`),
      });
      results[key] = await measure(server);
      await stopOpsdeck(server);
      server = undefined;
    }

    const rows = PAGES.map((page) => {
      const a = results["1d"][page]!;
      const b = results["90d"][page]!;
      const ratio = +(b.medianMs / a.medianMs).toFixed(2);
      return {
        page,
        "1d": a,
        "90d": b,
        ratio,
        withinRatio: ratio <= TARGETS.ratioMax,
        under150ms: b.medianMs < TARGETS.medianMaxMs,
      };
    });

    const pad = (s: string | number, n: number) => String(s).padStart(n);
    console.log(
      `\n${MONITORS} monitors every ${INTERVAL_MS / 1000} s; ${REQUESTS} sequential requests per page after ${WARMUP} warm-up; ms to full body\n`,
    );
    console.log(
      `${"page".padEnd(26)}${pad("1d med", 9)}${pad("1d p95", 9)}${pad("90d med", 9)}${pad("90d p95", 9)}${pad("90d/1d", 8)}${pad("KiB 1d/90d", 13)}`,
    );
    for (const r of rows) {
      console.log(
        `${r.page.padEnd(26)}${pad(r["1d"].medianMs, 9)}${pad(r["1d"].p95Ms, 9)}${pad(r["90d"].medianMs, 9)}${pad(r["90d"].p95Ms, 9)}${pad(r.ratio.toFixed(2), 8)}${pad(`${Math.round(r["1d"].bytes / 1024)}/${Math.round(r["90d"].bytes / 1024)}`, 13)}`,
      );
    }
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          monitors: MONITORS,
          intervalSeconds: INTERVAL_MS / 1000,
          requestsPerPage: REQUESTS,
          warmupPerPage: WARMUP,
          targets: TARGETS,
          databases: {
            "1d": { rows: histories["1d"].rows, databaseMiB: histories["1d"].databaseMiB },
            "90d": { rows: histories["90d"].rows, databaseMiB: histories["90d"].databaseMiB },
          },
          generationSeconds: { "1d": histories["1d"].seconds, "90d": histories["90d"].seconds },
          pages: rows,
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
