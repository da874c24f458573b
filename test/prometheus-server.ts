// A real Prometheus (Debian's 2.42, the reference implementation) for differential tests:
// started on a free loopback port with an empty configuration and its own data
// directory, and stopped by the test that started it.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";

/** Whether the reference binary is installed on this machine. */
export function hasPrometheus(): boolean {
  return fs.existsSync(PROMETHEUS_BIN);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts Prometheus with no scrape targets and resolves once `/-/ready` answers 200.
 * `dataDir` is its TSDB directory (a fresh temporary one when omitted, removed by
 * `stop()`); pass one to query blocks a test has written there beforehand.
 */
export async function startPrometheus(
  opts: { dataDir?: string } = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-prometheus-"));
  const configFile = path.join(scratch, "prometheus.yml");
  fs.writeFileSync(configFile, "global:\n  evaluation_interval: 1m\nscrape_configs: []\n");
  const dataDir = opts.dataDir ?? path.join(scratch, "data");
  const port = await freePort();
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
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });

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
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop };
}
