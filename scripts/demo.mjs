// @ts-check
// npm run demo — builds Opsdeck if needed, starts the sample "Navi backend" as a production
// and a staging instance, starts Opsdeck against them, and prints how to sign in (again on
// Enter; `npm run demo -- --help` prints it without starting anything).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { startDemo } from "../demo/server.mjs";
import { startNotifyReceivers } from "../e2e/fixtures/notify-receivers.mjs";
import {
  DEMO_PORTS,
  DEMO_USERS,
  DEMO_VERSIONS,
  demoBanner,
  NODE_EXPORTER,
  showOnTerminal,
} from "./demo-banner.mjs";
import { ensureBuild, ensureUsers, root, serverBundle, waitForHttp } from "./stack.mjs";

const port = Number(process.env.PORT ?? 3000);
const dataRoot = path.join(root, "data", "demo");
const opsdeckData = path.join(dataRoot, "opsdeck");
const logs = path.join(dataRoot, "logs");
const url = `http://localhost:${port}`;
const hasNodeExporter = fs.existsSync(NODE_EXPORTER);
const banner = () =>
  demoBanner({
    url,
    logs: path.relative(root, logs),
    data: path.relative(root, dataRoot),
    nodeExporter: hasNodeExporter,
  });

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(banner());
  process.exit(0);
}

/** @param {string} name */
function logFile(name) {
  fs.mkdirSync(logs, { recursive: true });
  const stream = fs.createWriteStream(path.join(logs, `${name}.log`), { flags: "a" });
  return (/** @type {string} */ line) => stream.write(line.endsWith("\n") ? line : `${line}\n`);
}

ensureBuild();

// This machine's own metrics for the Metrics pages, when Debian's node exporter is there.
const nodeExporter = hasNodeExporter
  ? spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${DEMO_PORTS.nodeExporter}`], {
      stdio: ["ignore", "ignore", "pipe"],
    })
  : undefined;
if (nodeExporter) {
  const log = logFile("node-exporter");
  nodeExporter.stderr?.on("data", (chunk) => log(String(chunk)));
  nodeExporter.on("error", (err) => log(`node exporter did not start: ${err.message}`));
}

const services = await Promise.all([
  startDemo({
    name: "production",
    port: DEMO_PORTS.production,
    dataDir: path.join(dataRoot, "navi-production"),
    version: DEMO_VERSIONS.production,
    log: logFile("navi-production"),
  }),
  startDemo({
    name: "staging",
    port: DEMO_PORTS.staging,
    dataDir: path.join(dataRoot, "navi-staging"),
    version: DEMO_VERSIONS.staging,
    log: logFile("navi-staging"),
  }),
]);

// Stands in for Slack, the SMTP relay and a pager webhook, so alerts go somewhere real
// and can be read back: GET /__messages, /__mail, /__webhooks on port 4140.
const inbox = await startNotifyReceivers({
  port: DEMO_PORTS.inbox,
  smtpPort: DEMO_PORTS.smtp,
  smtpUser: null,
  smtpPassword: null,
});

ensureUsers(opsdeckData, DEMO_USERS);

const opsdeck = spawn(process.execPath, [serverBundle], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
  env: {
    ...process.env,
    PORT: String(port),
    OPSDECK_URL: url,
    OPSDECK_CONFIG: path.join(root, "opsdeck.example.yaml"),
    OPSDECK_DATA_DIR: opsdeckData,
    DEMO_PRODUCTION_URL: services[0].url,
    DEMO_STAGING_URL: services[1].url,
    DEMO_NODE_EXPORTER_URL: `http://127.0.0.1:${DEMO_PORTS.nodeExporter}`,
    DEMO_PRODUCTION_PORT: String(services[0].port),
    DEMO_DATA_DIR: dataRoot,
  },
});

// Opsdeck's log goes to its file; the terminal shows it while Opsdeck starts, then only
// warnings and errors, so the banner printed after start-up stays in view.
let started = false;
const opsdeckLog = logFile("opsdeck");
for (const [stream, out] of /** @type {const} */ ([
  [opsdeck.stdout, process.stdout],
  [opsdeck.stderr, process.stderr],
])) {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
    opsdeckLog(line);
    if (showOnTerminal(line, started)) out.write(`${line}\n`);
  });
}

const opsdeckExited = new Promise((resolve) => opsdeck.once("exit", resolve));
let stopping = false;
/** Stops Opsdeck gracefully (its running jobs finish), then the sample services. */
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (opsdeck.exitCode === null) opsdeck.kill("SIGTERM");
  await opsdeckExited;
  nodeExporter?.kill("SIGTERM");
  await Promise.all([...services.map((s) => s.close()), inbox.close()]);
  process.exit(code);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
opsdeck.on("exit", (code) => {
  console.error(`Opsdeck exited (${code}).`);
  void stop(code ?? 1);
});

// A first start on a busy machine (migrations, first backups) can take a minute or more.
await waitForHttp(`${url}/api/health`, 300_000).catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await stop(1);
});
// A deploy history, as CI would have reported it (POST /api/ingest/deployments). Fixed
// external ids make this idempotent; rollbacks made in the demo are newer and stay live.
const ciToken = process.env.CI_INGEST_TOKEN ?? "demo-ci-ingest-token-0123456789abcdef";
const hours = (h) => new Date(Date.now() - h * 3_600_000).toISOString();
const history = [
  ["production", "1.3.0", 26 * 24, "succeeded", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"],
  ["production", "1.4.0", 72, "succeeded", "b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1"],
  ["production", "1.4.1", 50, "failed", "c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2"],
  ["production", "1.4.2", 26, "succeeded", "d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3"],
  ["staging", "1.4.2", 30, "succeeded", "d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3"],
  ["staging", "1.5.0-rc.1", 4, "succeeded", "e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4"],
];
for (const [environment, version, ago, status, commitSha] of history) {
  await fetch(`${url}/api/ingest/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ciToken}` },
    body: JSON.stringify({
      service: "backend",
      environment,
      version,
      status,
      commitSha,
      committedAt: hours(ago + 3),
      startedAt: hours(ago),
      finishedAt: hours(ago - 0.1),
      author: "dana@navi.app",
      message: `Release ${version}`,
      externalId: `demo-${environment}-${version}`,
    }),
  }).catch(() => undefined);
}

// Stand in for the analytics host's nightly pg_dump, which reports to its heartbeat monitor.
await fetch(
  `${url}/api/ingest/heartbeat/${process.env.NAVI_BACKUP_HEARTBEAT_TOKEN ?? "demo-backup-heartbeat-token-0123456789"}`,
  {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      durationMs: 4200,
      sizeBytes: 5_242_880,
      message: "analytics dump written",
    }),
  },
).catch(() => undefined);
started = true;
process.stdout.write(banner());
if (process.stdin.isTTY) {
  // Line mode (not raw), so Ctrl-C still reaches the process as SIGINT.
  readline
    .createInterface({ input: process.stdin, terminal: false })
    .on("line", () => process.stdout.write(banner()));
}
