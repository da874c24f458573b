// @ts-check
import { parseChaosRequest } from "./chaos.mjs";
import { expectFields, HttpError, readJsonBody } from "./http.mjs";
import { SERVICE } from "./log.mjs";

/** Share of pairings whose handshake fails, as when the other device never confirms the code. */
const HANDSHAKE_FAILURE_RATE = 0.1;

/**
 * @typedef {object} RouteDeps
 * @property {import("./database.mjs").NaviDatabase} db
 * @property {import("./chaos.mjs").ChaosControl} chaos
 * @property {import("./metrics.mjs").Metrics} metrics
 * @property {{ activeUsers: () => number }} presence
 * @property {import("./log.mjs").Logger} log
 * @property {{ environment: string, version: string, startedAt: number }} info
 * @property {(version: string) => void} deploy Switches the version this instance serves (a simulated deploy).
 */

/**
 * @param {Record<string, unknown>} body
 * @param {string} key
 */
function deviceIdField(body, key) {
  const value = body[key];
  if (!Number.isSafeInteger(value) || /** @type {number} */ (value) < 1) {
    throw new HttpError(400, `${key} must be a positive integer device id`);
  }
  return /** @type {number} */ (value);
}

/**
 * Two distinct, existing device ids from the named fields of a JSON body.
 * @param {import("./database.mjs").NaviDatabase} db
 * @param {unknown} raw
 * @param {[string, string]} keys
 * @returns {[number, number]}
 */
function twoDevices(db, raw, keys) {
  const body = expectFields(raw, keys);
  const [a, b] = [deviceIdField(body, keys[0]), deviceIdField(body, keys[1])];
  if (a === b) throw new HttpError(400, `${keys[0]} and ${keys[1]} must be different devices`);
  for (const id of [a, b]) {
    if (!db.deviceExists(id)) throw new HttpError(404, `device ${id} not found`);
  }
  return [a, b];
}

/**
 * The route table; each key is both the exact path and its metric label.
 * @param {RouteDeps} deps
 * @returns {Map<string, import("./http.mjs").Route>}
 */
export function createRoutes({ db, chaos, metrics, presence, log, info, deploy }) {
  /** @type {import("./http.mjs").Handler} */
  function health({ logContext }) {
    let database = "ok";
    try {
      db.ping();
    } catch (error) {
      database = "error";
      log.error("database check failed", logContext, error);
    }
    const down = database !== "ok" || chaos.mode() === "down";
    return {
      status: down ? 503 : 200,
      body: {
        status: down ? "down" : "ok",
        version: info.version,
        service: SERVICE,
        environment: info.environment,
        uptimeSeconds: Math.floor((Date.now() - info.startedAt) / 1000),
        checks: { database },
      },
    };
  }

  /** @type {import("./http.mjs").Handler} */
  async function sendTap({ req }) {
    const [from, to] = twoDevices(db, await readJsonBody(req), ["from", "to"]);
    if (!db.arePaired(from, to)) {
      throw new HttpError(409, `devices ${from} and ${to} are not paired`);
    }
    const tap = db.insertTap(from, to);
    metrics.tapsSent.inc();
    return { status: 201, body: tap };
  }

  /** @type {import("./http.mjs").Handler} */
  async function pair({ req }) {
    const [a, b] = twoDevices(db, await readJsonBody(req), ["deviceA", "deviceB"]);
    metrics.pairingAttempts.inc();
    if (db.arePaired(a, b)) throw new HttpError(409, `devices ${a} and ${b} are already paired`);
    if (Math.random() < HANDSHAKE_FAILURE_RATE) {
      throw new HttpError(
        422,
        "pairing handshake failed: the other device did not confirm the code",
      );
    }
    const id = db.insertPairing(a, b);
    metrics.pairingSuccesses.inc();
    return { status: 201, body: { id } };
  }

  /** @type {import("./http.mjs").Handler} */
  async function changeChaos({ req, logContext }) {
    chaos.set(parseChaosRequest(await readJsonBody(req)), logContext);
    return reply(chaos.snapshot());
  }

  /** @type {import("./http.mjs").Handler} */
  function resetChaos({ logContext }) {
    chaos.reset({ ...logContext, reason: "request" });
    return reply(chaos.snapshot());
  }

  /**
   * A simulated deploy or rollback: the version this instance reports changes at once
   * and survives a restart. Opsdeck's demo config rolls back through this endpoint.
   * @type {import("./http.mjs").Handler}
   */
  async function switchVersion({ req, logContext }) {
    const body = await readJsonBody(req);
    const keys = body && typeof body === "object" ? Object.keys(body) : [];
    const version = /** @type {{ version?: unknown }} */ (body)?.version;
    if (
      keys.length !== 1 ||
      typeof version !== "string" ||
      !/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)
    ) {
      throw new HttpError(400, 'expected {"version": "<semver>"}');
    }
    const previous = info.version;
    deploy(version);
    log.warn("deployed", { ...logContext, version, previous });
    return reply({ version, previous, environment: info.environment });
  }

  /** @type {import("./http.mjs").Handler} */
  async function scrape() {
    const body = await metrics.registry.metrics();
    return { status: 200, contentType: metrics.registry.contentType, body };
  }

  /** @type {[string, import("./http.mjs").Route][]} */
  const table = [
    ["/health", { chaos: "health", methods: { GET: health } }],
    ["/version", { chaos: "none", methods: { GET: () => reply({ version: info.version }) } }],
    ["/metrics", { chaos: "none", methods: { GET: scrape } }],
    ["/api/taps", { chaos: "api", methods: { POST: sendTap } }],
    ["/api/pairings", { chaos: "api", methods: { POST: pair } }],
    [
      "/api/users/active",
      {
        chaos: "api",
        methods: { GET: () => reply({ count: presence.activeUsers(), total: db.countUsers() }) },
      },
    ],
    ["/deploy", { chaos: "none", loopbackOnly: true, methods: { POST: switchVersion } }],
    [
      "/chaos",
      {
        chaos: "none",
        loopbackOnly: true,
        methods: { GET: () => reply(chaos.snapshot()), POST: changeChaos, DELETE: resetChaos },
      },
    ],
  ];
  return new Map(table);
}

/**
 * @param {unknown} body
 * @returns {import("./http.mjs").Reply}
 */
function reply(body) {
  return { status: 200, body };
}
