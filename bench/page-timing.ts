// npm run bench:uptime:pages [-- --monitors 50 --interval 30s --days 1,90 --requests 50 --warmup 10 --seed 1 --keep DIR]
// Does a long history slow the uptime pages down? Generates one database per --days
// value (N monitors checked every --interval, retention applied), then starts the
// production build on each (all at once), signs in and times GET /, /uptime,
// /uptime/m-000?range=90d, /api/uptime/status and the live polls of the Overview and
// /uptime (time to the full body, sequential requests, one database after another request
// by request). With --keep DIR the databases are kept in DIR/<days>d and reused by the
// next run (so a before/after comparison reads the same data). Needs an existing
// `npm run build`. Prints figures; asserts nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseDuration } from "../lib/duration";
import { historyIn, monitorId, parseFlags } from "./generate-history";
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
const INTERVAL_MS = parseDuration(flags.interval ?? "30s") ?? NaN;
const DAYS = (flags.days ?? "1,90").split(",").map(Number);
const KEEP = flags.keep ? path.resolve(flags.keep) : undefined;
const TARGETS = { ratioMax: 1.1, medianMaxMs: 50, uptimeHtmlMaxBytes: 200 * 1024 };

if (!Number.isInteger(MONITORS) || MONITORS < 1) throw new Error("--monitors: a positive integer");
if (!(INTERVAL_MS >= 1000)) throw new Error("--interval: a duration of a second or more, e.g. 5m");
if (DAYS.length < 2 || DAYS.some((d) => !Number.isInteger(d) || d < 1)) {
  throw new Error("--days: two or more whole numbers of days, e.g. 1,365");
}

const PAGES = [
  "/",
  "/uptime",
  `/uptime/${monitorId(0, MONITORS)}?range=90d`,
  "/api/uptime/status",
  // What a tab's live poll costs on the Overview and on /uptime (lib/live-views.ts).
  "/api/live?views=overview",
  `/api/live?views=${encodeURIComponent(encodeURIComponent("list:"))}`,
];

type Timing = { medianMs: number; p95Ms: number; minMs: number; bytes: number };

async function timeGet(url: string, cookie: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const body = await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status} (expected 200)`);
  return { ms, bytes: body.byteLength };
}

/**
 * Every database's server is up at once and each page is timed on all of them request by
 * request, the order rotating, so a change in the machine's load falls on every history
 * alike and the ratios compare like with like.
 */
async function measure(servers: Opsdeck[]): Promise<Record<string, Timing>[]> {
  const cookies = await Promise.all(servers.map((s) => signIn(s.url, ADMIN.email, ADMIN.password)));
  const out: Record<string, Timing>[] = servers.map(() => ({}));
  for (const page of PAGES) {
    const samples: number[][] = servers.map(() => []);
    const bytes: number[] = servers.map(() => 0);
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      for (let k = 0; k < servers.length; k++) {
        const j = (i + k) % servers.length;
        const r = await timeGet(servers[j]!.url + page, cookies[j]!);
        if (i < WARMUP) continue;
        samples[j]!.push(r.ms);
        bytes[j] = r.bytes;
      }
    }
    samples.forEach((s, j) => {
      s.sort((a, b) => a - b);
      out[j]![page] = {
        medianMs: round1(percentile(s, 0.5)),
        p95Ms: round1(percentile(s, 0.95)),
        minMs: round1(s[0]!),
        bytes: bytes[j]!,
      };
    });
  }
  return out;
}

const history = (root: string, days: number) =>
  historyIn(root, days, {
    keep: Boolean(KEEP),
    monitors: MONITORS,
    intervalMs: INTERVAL_MS,
    seed: SEED,
  });

async function main() {
  requireBuild();
  const root = KEEP ?? fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-pages-"));
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-logs-"));
  const servers: Opsdeck[] = [];
  const cleanup = async () => {
    await Promise.all(servers.splice(0).map((s) => stopOpsdeck(s)));
    if (!KEEP) fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(logs, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const histories = new Map(DAYS.map((d) => [d, history(root, d)]));
    for (const days of DAYS) {
      const h = histories.get(days)!;
      console.error(`starting Opsdeck on the ${days}-day database…`);
      servers.push(
        await startOpsdeck({
          dataDir: h.dir,
          config: h.configFile,
          logFile: path.join(logs, `server-${days}d.log`),
        }),
      );
    }
    const measured = await measure(servers);
    const results = new Map(DAYS.map((d, j) => [d, measured[j]!]));

    const first = DAYS[0]!;
    const last = DAYS[DAYS.length - 1]!;
    const rows = PAGES.map((page) => {
      const a = results.get(first)![page]!;
      const b = results.get(last)![page]!;
      const ratio = +(b.medianMs / a.medianMs).toFixed(2);
      return {
        page,
        byDays: Object.fromEntries(DAYS.map((d) => [`${d}d`, results.get(d)![page]!])),
        ratio,
        withinRatio: ratio <= TARGETS.ratioMax,
        under50ms: a.medianMs < TARGETS.medianMaxMs,
      };
    });

    const pad = (s: string | number, n: number) => String(s).padStart(n);
    console.log(
      `\n${MONITORS} monitors every ${INTERVAL_MS / 1000} s; ${REQUESTS} sequential requests per page after ${WARMUP} warm-up; ms to full body\n`,
    );
    console.log(
      `${"page".padEnd(28)}${DAYS.map((d) => `${pad(`${d}d med`, 10)}${pad(`${d}d p95`, 10)}${pad(`${d}d KiB`, 10)}`).join("")}${pad(`${last}d/${first}d`, 10)}`,
    );
    for (const r of rows) {
      console.log(
        `${r.page.padEnd(28)}${DAYS.map((d) => {
          const t = r.byDays[`${d}d`]!;
          return `${pad(t.medianMs, 10)}${pad(t.p95Ms, 10)}${pad(Math.round(t.bytes / 1024), 10)}`;
        }).join("")}${pad(r.ratio.toFixed(2), 10)}`,
      );
    }
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          monitors: MONITORS,
          intervalSeconds: INTERVAL_MS / 1000,
          days: DAYS,
          requestsPerPage: REQUESTS,
          warmupPerPage: WARMUP,
          targets: TARGETS,
          databases: Object.fromEntries(
            DAYS.map((d) => {
              const h = histories.get(d)!;
              return [
                `${d}d`,
                "rows" in h
                  ? { rows: h.rows, databaseMiB: h.databaseMiB, generationSeconds: h.seconds }
                  : { reused: h.dir },
              ];
            }),
          ),
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
