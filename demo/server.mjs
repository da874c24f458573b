// @ts-check
/**
 * The demo "Navi backend": a small real service for Opsdeck to watch. It answers health
 * checks, serves Prometheus metrics, writes to a real SQLite database, logs JSON lines,
 * reports a version and takes loopback-only chaos requests. See demo/README.md.
 *
 *   node demo/server.mjs --name production --port 4001
 */
import fs from "node:fs";
import http from "node:http";
import { isIP } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createChaos } from "./lib/chaos.mjs";
import { openNaviDatabase } from "./lib/database.mjs";
import { startDelivery } from "./lib/delivery.mjs";
import { createRequestListener } from "./lib/http.mjs";
import { createLogger, parseLogLevel } from "./lib/log.mjs";
import { createMetrics } from "./lib/metrics.mjs";
import { startPresenceSimulation } from "./lib/presence.mjs";
import { runRelease } from "./lib/releases.mjs";
import { createRoutes } from "./lib/routes.mjs";
import { startTraffic } from "./lib/traffic.mjs";

export { isLoopback } from "./lib/http.mjs";

const DEMO_DIR = path.dirname(fileURLToPath(import.meta.url));
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** The name becomes a directory under demo/data, so it may not contain a path. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/**
 * @typedef {object} DemoOptions
 * @property {string} [name] Environment name (production, staging, …); default "development".
 * @property {number} [port] 0, the default, picks a free port.
 * @property {string} [host] Default 127.0.0.1.
 * @property {string} [dataDir] Default demo/data/<name>.
 * @property {string} [version] Default 1.0.0; <dataDir>/version wins when it exists.
 * @property {number} [traffic] Generated requests per second; default 5, 0 turns it off.
 * @property {string} [logLevel] debug, info (default), warn or error.
 * @property {(line: string) => void} [log] Receives each JSON log line; default stdout.
 */

/** @typedef {{ port: number, url: string, close: () => Promise<void> }} DemoHandle */

/**
 * Options from command-line flags, falling back to NAVI_NAME, PORT, NAVI_DATA_DIR,
 * NAVI_VERSION and LOG_LEVEL. Throws on unknown flags and non-numeric numbers.
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 * @returns {DemoOptions}
 */
export function optionsFromArgs(argv, env) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      name: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      version: { type: "string" },
      traffic: { type: "string" },
    },
  });
  return {
    name: values.name ?? env.NAVI_NAME,
    port: numberOption("--port", values.port ?? env.PORT),
    host: values.host,
    dataDir: values["data-dir"] ?? env.NAVI_DATA_DIR,
    version: values.version ?? env.NAVI_VERSION,
    traffic: numberOption("--traffic", values.traffic),
    logLevel: env.LOG_LEVEL,
  };
}

/**
 * @param {string} flag
 * @param {string | undefined} text
 */
function numberOption(flag, text) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) throw new Error(`${flag} must be a number`);
  return value;
}

/** @param {DemoOptions} options */
function resolveSettings(options) {
  const name = options.name ?? "development";
  if (!NAME.test(name)) {
    throw new Error(`name "${name}" may only contain letters, digits, "-" and "_"`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`port ${port} is not an integer from 0 to 65535`);
  }
  const traffic = options.traffic ?? 5;
  if (!Number.isFinite(traffic) || traffic < 0) {
    throw new Error(`traffic ${traffic} is not a rate of zero or more requests per second`);
  }
  return {
    name,
    port,
    traffic,
    host: options.host ?? "127.0.0.1",
    dataDir: path.resolve(options.dataDir ?? path.join(DEMO_DIR, "data", name)),
    version: options.version ?? "1.0.0",
    logLevel: parseLogLevel(options.logLevel ?? "info"),
    log: options.log ?? ((/** @type {string} */ line) => void process.stdout.write(line)),
  };
}

/**
 * <dataDir>/version wins over the option, so a simulated deploy or rollback only has to
 * write that file and restart the service.
 * @param {string} dataDir
 * @param {string} fallback
 */
function readVersion(dataDir, fallback) {
  const file = path.join(dataDir, "version");
  const fromFile = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
  const version = fromFile ?? fallback;
  if (!SEMVER.test(version)) {
    throw new Error(
      `version "${version}"${fromFile ? ` in ${file}` : ""} is not semver (e.g. 1.2.3)`,
    );
  }
  return version;
}

/**
 * @param {http.Server} server
 * @param {number} port
 * @param {string} host
 * @returns {Promise<number>} The port actually bound.
 */
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(/** @type {import("node:net").AddressInfo} */ (server.address()).port);
    });
  });
}

/** @param {http.Server} server */
function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve(undefined));
    // Idle keep-alive sockets and requests held open by chaos would keep close() waiting.
    server.closeAllConnections();
  });
}

/**
 * A URL this process can call itself on; a wildcard bind still answers on loopback.
 * @param {string} host
 * @param {number} port
 */
function selfUrl(host, port) {
  const target = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${isIP(target) === 6 ? `[${target}]` : target}:${port}`;
}

/**
 * Starts one instance: opens (and on first start seeds) its database, listens, and
 * starts the tap delivery sweep, the presence simulation and the traffic generator.
 * @param {DemoOptions} [options]
 * @returns {Promise<DemoHandle>}
 */
export async function startDemo(options = {}) {
  const settings = resolveSettings(options);
  fs.mkdirSync(settings.dataDir, { recursive: true });
  const version = readVersion(settings.dataDir, settings.version);
  const log = createLogger({
    environment: settings.name,
    level: settings.logLevel,
    write: settings.log,
  });
  const db = openNaviDatabase(path.join(settings.dataDir, "navi.db"));
  const presence = startPresenceSimulation();
  const metrics = createMetrics({
    dbSizeBytes: db.sizeBytes,
    websocketConnections: presence.websocketConnections,
    activeUsers: presence.activeUsers,
  });
  const delivery = startDelivery({ db, metrics, log });
  const chaos = createChaos({ log });
  const shutdown = new AbortController();
  const info = { environment: settings.name, version, startedAt: Date.now() };
  const routes = createRoutes({
    db,
    chaos,
    metrics,
    presence,
    log,
    info,
    deploy(next) {
      // Written first, so a restart keeps serving what was deployed.
      const file = path.join(settings.dataDir, "version");
      fs.writeFileSync(`${file}.tmp`, `${next}\n`);
      fs.renameSync(`${file}.tmp`, file);
      info.version = next;
    },
  });
  const server = http.createServer(
    createRequestListener({
      routes,
      chaos,
      metrics,
      log,
      shutdown: shutdown.signal,
      release: (kind, signal) => runRelease(info.version, kind, signal),
    }),
  );

  /** @type {ReturnType<typeof startTraffic> | undefined} */
  let traffic;
  async function stop() {
    traffic?.stop();
    delivery.stop();
    presence.stop();
    shutdown.abort();
    chaos.dispose();
    await closeServer(server);
    db.close();
  }

  let port;
  try {
    port = await listen(server, settings.port, settings.host);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = selfUrl(settings.host, port);
  if (settings.traffic > 0) {
    traffic = startTraffic({
      baseUrl: url,
      ratePerSecond: settings.traffic,
      randomPairing: db.randomPairing,
      randomDevices: db.randomDevices,
    });
  }
  log.info("listening", { port, version, url, traffic: settings.traffic });

  /** @type {Promise<void> | undefined} */
  let closing;
  return {
    port,
    url,
    close: () => (closing ??= stop().then(() => log.info("stopped", { port, version }))),
  };
}

async function main() {
  const demo = await startDemo(optionsFromArgs(process.argv.slice(2), process.env));
  for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT"])) {
    // `once`: a second Ctrl-C gets Node's default handling and ends a stuck shutdown.
    process.once(signal, () => void demo.close().then(() => process.exit(0)));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`navi demo: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  });
}
