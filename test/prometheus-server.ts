// Runs Debian's Prometheus (the reference implementation) on a loopback port for
// differential tests, in a temp directory that is removed when it stops.

import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";

export interface PrometheusServer {
  url: string;
  port: number;
  /** Raw samples of every series `selector` matches over the last `range`, via a range selector. */
  rawSamples(selector: string, range: string): Promise<RawSeries[]>;
  /** An instant query's vector result at `timeMs`, each series with its one value. */
  instant(expr: string, timeMs: number): Promise<RawSeries[]>;
  stop(): Promise<void>;
}

export interface RawSeries {
  labels: Record<string, string>;
  /** [ms, value] with the value parsed from Prometheus's exact decimal. */
  samples: [number, number][];
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** `config` is prometheus.yml; `{{PORT}}` in it becomes Prometheus's own port. */
export async function startPrometheus(
  config: string,
  flags: string[] = [],
): Promise<PrometheusServer> {
  if (!fs.existsSync(PROMETHEUS_BIN)) {
    throw new Error(`${PROMETHEUS_BIN} is missing: apt-get install prometheus (CI installs it)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-prometheus-"));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, "prometheus.yml"), config.replaceAll("{{PORT}}", String(port)));
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      "--log.level=warn",
      ...flags,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on("exit", () => {
      exited = true;
      resolve();
    }),
  );

  // Polls for readiness (a wait for a condition, not a fixed sleep).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (exited || Date.now() > deadline) {
      child.kill("SIGTERM");
      await exit;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`Prometheus did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    port,
    async rawSamples(selector, range) {
      return query(url, `${selector}[${range}]`, undefined);
    },
    async instant(expr, timeMs) {
      return query(url, expr, timeMs);
    },
    async stop() {
      if (!exited) {
        child.kill("SIGTERM");
        await exit;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
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
      parseValue(v),
    ]),
  }));
}

function parseValue(v: string): number {
  if (v === "+Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  return Number(v);
}
