// npm run bench:uptime:browser [-- --monitors 1000 --interval 5m --days 1,365 --runs 10 --warmup 2 --keep DIR]
// What a person waits for at a thousand monitors, in Chromium: from pressing "Sign in"
// to the Overview counting every monitor with its service grid drawn, then from clicking
// "Uptime" to the first page of monitor rows drawn. Each run is a new browser context
// (no cookies, no cache) at 1440 × 900 against the production build, on the databases
// bench:uptime:generate writes (reused from --keep DIR/<days>d). Prints figures; asserts
// nothing. Needs an existing `npm run build` and Chromium (/usr/bin/chromium).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { parseDuration } from "../lib/duration";
import { MONITOR_PAGE_SIZE } from "../lib/monitor-list";
import { historyIn, parseFlags } from "./generate-history";
import {
  ADMIN,
  percentile,
  requireBuild,
  round1,
  startOpsdeck,
  stopOpsdeck,
  type Opsdeck,
} from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const MONITORS = Number(flags.monitors ?? 1000);
const RUNS = Number(flags.runs ?? 10);
const WARMUP = Number(flags.warmup ?? 2);
const INTERVAL_MS = parseDuration(flags.interval ?? "5m") ?? NaN;
const DAYS = (flags.days ?? "1,365").split(",").map(Number);
const KEEP = flags.keep ? path.resolve(flags.keep) : undefined;
const TARGET_MS = 1000;
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));

if (!Number.isInteger(MONITORS) || MONITORS < 1) throw new Error("--monitors: a positive integer");
if (!(INTERVAL_MS >= 10_000)) throw new Error("--interval: a duration of 10 s or more, e.g. 5m");
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs: a positive integer");
if (DAYS.some((d) => !Number.isInteger(d) || d < 1))
  throw new Error("--days: whole numbers, e.g. 1,365");
if (!CHROMIUM) throw new Error("Chromium not found: apt-get install -y chromium");

type Run = { signInMs: number; uptimeMs: number };

async function oneRun(browser: Browser, server: Opsdeck): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    const t0 = performance.now();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // Every monitor counted, the grid of services drawn.
    await page
      .getByTestId("monitor-counts")
      .filter({ hasText: `${MONITORS.toLocaleString("en")} monitors` })
      .or(page.getByTestId("monitor-counts").filter({ hasText: `${MONITORS} monitors` }))
      .waitFor({ timeout: 30_000 });
    await page.getByTestId("service-grid").waitFor({ timeout: 30_000 });
    const t1 = performance.now();
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Uptime" })
      .click();
    await page
      .locator('[data-testid^="monitor-row-"]')
      .nth(Math.min(MONITORS, MONITOR_PAGE_SIZE) - 1)
      .waitFor({ timeout: 30_000 });
    const t2 = performance.now();
    return { signInMs: t1 - t0, uptimeMs: t2 - t1 };
  } finally {
    await context.close();
  }
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    medianMs: round1(percentile(s, 0.5)),
    p95Ms: round1(percentile(s, 0.95)),
    maxMs: round1(s.at(-1)!),
  };
};

async function main() {
  requireBuild();
  const root = KEEP ?? fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-browser-"));
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-logs-"));
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  let server: Opsdeck | undefined;
  const results: Record<
    string,
    { signIn: ReturnType<typeof summary>; uptime: ReturnType<typeof summary> }
  > = {};
  try {
    for (const days of DAYS) {
      const h = historyIn(root, days, {
        keep: Boolean(KEEP),
        monitors: MONITORS,
        intervalMs: INTERVAL_MS,
        seed: 1,
      });
      console.error(`starting Opsdeck on the ${days}-day database…`);
      server = await startOpsdeck({
        dataDir: h.dir,
        config: h.configFile,
        logFile: path.join(logs, `server-${days}d.log`),
      });
      for (let i = 0; i < WARMUP; i++) await oneRun(browser, server);
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await oneRun(browser, server));
      results[`${days}d`] = {
        signIn: summary(runs.map((r) => r.signInMs)),
        uptime: summary(runs.map((r) => r.uptimeMs)),
      };
      await stopOpsdeck(server);
      server = undefined;
    }
  } finally {
    if (server) await stopOpsdeck(server);
    await browser.close();
    if (!KEEP) fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(logs, { recursive: true, force: true });
  }
  console.log(
    `\n${MONITORS} monitors, Chromium at 1440 × 900, ${RUNS} runs after ${WARMUP} warm-up, a new context each; ms`,
  );
  console.log(
    "history   sign-in → Overview (med / p95 / max)   Uptime link → 50 rows (med / p95 / max)",
  );
  for (const [days, r] of Object.entries(results)) {
    const f = (s: ReturnType<typeof summary>) => `${s.medianMs} / ${s.p95Ms} / ${s.maxMs}`;
    console.log(`${days.padEnd(9)} ${f(r.signIn).padEnd(38)} ${f(r.uptime)}`);
  }
  console.log(
    JSON.stringify({ monitors: MONITORS, runs: RUNS, targetMs: TARGET_MS, results }, null, 2),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
