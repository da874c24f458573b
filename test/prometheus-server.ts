// A real Prometheus (Debian's 2.42, the reference implementation) for differential tests:
// started on a free loopback port with its own data directory, and stopped by the test
// that started it.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";
export const PROMTOOL_BIN = "/usr/bin/promtool";

/** Whether the reference binary is installed on this machine. */
export function hasPrometheus(): boolean {
  return fs.existsSync(PROMETHEUS_BIN);
}

/**
 * Writes OpenMetrics text with a timestamp on every sample into TSDB blocks with
 * promtool's backfill (`tsdb create-blocks-from openmetrics`), in `dir`; returns the
 * blocks' directory, for `startPrometheus({ dataDir })`.
 */
export function createBlocks(openMetrics: string, dir: string): string {
  const file = path.join(dir, "history.om");
  fs.writeFileSync(file, openMetrics);
  const blocks = path.join(dir, "tsdb");
  execFileSync(PROMTOOL_BIN, [
    "tsdb",
    "create-blocks-from",
    "openmetrics",
    "--quiet",
    file,
    blocks,
  ]);
  return blocks;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface RawSeries {
  labels: Record<string, string>;
  /** [ms, value] with the value parsed from Prometheus's exact decimal. */
  samples: [number, number][];
}

export interface PrometheusServer {
  url: string;
  port: number;
  /** Raw samples of every series `selector` matches over the last `range`, via a range selector. */
  rawSamples(selector: string, range: string): Promise<RawSeries[]>;
  /** An instant query's vector result at `timeMs`, each series with its one value. */
  instant(expr: string, timeMs: number): Promise<RawSeries[]>;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus and resolves once `/-/ready` answers 200. `config` is its
 * prometheus.yml (`{{PORT}}` becomes its own port; default: no scrape targets);
 * `dataDir` its TSDB directory (a fresh temporary one when omitted, removed by `stop()`;
 * pass one to query blocks a test has written there beforehand).
 */
export async function startPrometheus(
  opts: { dataDir?: string; config?: string; flags?: string[] } = {},
): Promise<PrometheusServer> {
  if (!hasPrometheus())
    throw new Error(`${PROMETHEUS_BIN} is missing: apt-get install prometheus (CI installs it)`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-prometheus-"));
  const port = await freePort();
  const configFile = path.join(scratch, "prometheus.yml");
  const config = opts.config ?? "global:\n  evaluation_interval: 1m\nscrape_configs: []\n";
  fs.writeFileSync(configFile, config.replaceAll("{{PORT}}", String(port)));
  const dataDir = opts.dataDir ?? path.join(scratch, "data");
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      // Imported history is kept whatever its age.
      "--storage.tsdb.retention.time=100y",
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
      ...(opts.flags ?? []),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running = false;
      resolve();
    }),
  );

  const stop = async () => {
    if (running) child.kill("SIGTERM");
    await exited;
    fs.rmSync(scratch, { recursive: true, force: true });
  };

  // Readiness is a condition to wait for, not a delay: poll until it holds or the
  // process has gone (a taken port, a bad flag), with a bound so a hang fails the test.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!running) {
      await stop();
      throw new Error(`prometheus exited before it was ready: ${stderr.trim()}`);
    }
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    rawSamples: (selector, range) => query(url, `${selector}[${range}]`, undefined),
    instant: (expr, timeMs) => query(url, expr, timeMs),
    stop,
  };
}

async function query(url: string, expr: string, timeMs: number | undefined): Promise<RawSeries[]> {
  const q = new URLSearchParams({ query: expr });
  if (timeMs !== undefined) q.set("time", String(timeMs / 1000));
  const res = await fetch(`${url}/api/v1/query?${q}`);
  const body = (await res.json()) as {
    status: string;
    data: {
      result: {
        metric: Record<string, string>;
        values?: [number, string][];
        value?: [number, string];
      }[];
    };
  };
  if (body.status !== "success") throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data.result.map((r) => ({
    labels: r.metric,
    samples: (r.values ?? [r.value!]).map(([t, v]): [number, number] => [
      Math.round(t * 1000),
      Number(v.replace(/^\+Inf$/, "Infinity").replace(/^-Inf$/, "-Infinity")),
    ]),
  }));
}

/**
 * Starts Prometheus over `openMetrics` (text with a timestamp on every sample), backfilled
 * into blocks by `promtool tsdb create-blocks-from openmetrics`; `stop()` removes them too.
 */
export async function startPrometheusWithHistory(openMetrics: string): Promise<PrometheusServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-prometheus-history-"));
  try {
    const prom = await startPrometheus({ dataDir: createBlocks(openMetrics, dir) });
    return {
      ...prom,
      stop: async () => {
        await prom.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
