// A real Prometheus (Debian's 2.42, the reference implementation) for differential
// tests: started on a free loopback port with no scrape targets, on a data directory
// the test may have filled with promtool beforehand, and stopped by that test.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";
export const PROMTOOL_BIN = "/usr/bin/promtool";

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
 * Starts Prometheus and resolves once `/-/ready` answers 200. Without `dataDir` it gets
 * a fresh temporary one, removed by `stop()`. Retention is 100 years so that imported
 * history of any age is kept.
 */
export async function startPrometheus(opts: {
  dataDir?: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
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

  // Wait for readiness as a condition, bounded so a hang fails rather than blocks.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!running) {
      await stop();
      throw new Error(`prometheus exited before it was ready: ${stderr.trim()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return { url, stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
