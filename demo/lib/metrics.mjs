// @ts-check
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Prometheus' usual latency buckets; Opsdeck's SLOs read the 0.5 s one. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * @typedef {object} MetricSources Values read at scrape time rather than pushed.
 * @property {() => number} dbSizeBytes
 * @property {() => number} websocketConnections
 * @property {() => number} activeUsers
 */

/**
 * Every metric lives in its own Registry so several instances (production and staging
 * in one launcher, or many tests in one process) never share or collide on counters.
 * @param {MetricSources} sources
 */
export function createMetrics(sources) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  /** @param {string} name @param {string} help @param {() => number} read */
  const gaugeOf = (name, help, read) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gaugeOf("navi_db_size_bytes", "Size of the SQLite database in bytes.", sources.dbSizeBytes);
  gaugeOf(
    "navi_websocket_connections",
    "Open WebSocket connections (simulated).",
    sources.websocketConnections,
  );
  gaugeOf("navi_active_users", "Users active right now (simulated).", sources.activeUsers);

  return {
    registry,
    requestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration in seconds.",
      labelNames: /** @type {const} */ (["method", "route", "status"]),
      buckets: DURATION_BUCKETS,
      registers,
    }),
    requestsTotal: new Counter({
      name: "http_requests_total",
      help: "HTTP requests answered.",
      labelNames: /** @type {const} */ (["method", "route", "status"]),
      registers,
    }),
    tapsSent: new Counter({ name: "navi_taps_sent_total", help: "Taps sent.", registers }),
    tapsDelivered: new Counter({
      name: "navi_taps_delivered_total",
      help: "Taps delivered to the paired device.",
      registers,
    }),
    pairingAttempts: new Counter({
      name: "navi_pairing_attempts_total",
      help: "Device pairing attempts.",
      registers,
    }),
    pairingSuccesses: new Counter({
      name: "navi_pairing_successes_total",
      help: "Device pairings that succeeded.",
      registers,
    }),
  };
}

/** @typedef {ReturnType<typeof createMetrics>} Metrics */
