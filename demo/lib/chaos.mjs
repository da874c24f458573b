// @ts-check
import { setTimeout as delay } from "node:timers/promises";
import { expectFields, HOLD, HttpError } from "./http.mjs";

/** @typedef {"normal" | "down" | "hang"} Mode */
/** @typedef {{ latencyMs: number, errorRate: number, mode: Mode }} Faults */
/** @typedef {Faults & { durationSeconds?: number }} ChaosRequest */

const MODES = /** @type {const} */ (["normal", "down", "hang"]);
const FIELDS = ["latencyMs", "errorRate", "mode", "durationSeconds"];
/** @type {Faults} */
const NORMAL = Object.freeze({ latencyMs: 0, errorRate: 0, mode: "normal" });

/**
 * @param {Record<string, unknown>} body
 * @param {string} key
 * @param {number} min
 * @param {number} max
 * @param {boolean} integer
 * @returns {number | undefined}
 */
function numberField(body, key, min, max, integer) {
  const value = body[key];
  if (value === undefined) return undefined;
  const ok =
    typeof value === "number" && (integer ? Number.isInteger(value) : Number.isFinite(value));
  if (!ok || value < min || value > max) {
    throw new HttpError(
      400,
      `${key} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`,
    );
  }
  return value;
}

/**
 * Validates a POST /chaos body. It describes the whole fault state: fields left out are
 * back to normal, so a request never combines with whatever an earlier one set.
 * @param {unknown} raw
 * @returns {ChaosRequest}
 */
export function parseChaosRequest(raw) {
  const body = expectFields(raw, FIELDS);
  if (body.latencyMs === undefined && body.errorRate === undefined && body.mode === undefined) {
    throw new HttpError(400, "set at least one of latencyMs, errorRate, mode");
  }
  if (body.mode !== undefined && !MODES.includes(/** @type {Mode} */ (body.mode))) {
    throw new HttpError(400, `mode must be one of ${MODES.join(", ")}`);
  }
  return {
    latencyMs: numberField(body, "latencyMs", 0, 60_000, true) ?? NORMAL.latencyMs,
    errorRate: numberField(body, "errorRate", 0, 1, false) ?? NORMAL.errorRate,
    mode: /** @type {Mode | undefined} */ (body.mode) ?? NORMAL.mode,
    durationSeconds: numberField(body, "durationSeconds", 1, 86_400, true),
  };
}

/**
 * The faults this instance is currently injecting, and the requests held open by "hang".
 * @param {{ log: import("./log.mjs").Logger }} deps
 */
export function createChaos({ log }) {
  let faults = NORMAL;
  /** @type {Date | null} */
  let expiresAt = null;
  /** @type {NodeJS.Timeout | undefined} */
  let expiryTimer;
  /** @type {Set<import("node:http").ServerResponse>} */
  const held = new Set();

  /** The state GET /chaos reports; heldRequests counts health checks hanging right now. */
  function snapshot() {
    return { ...faults, expiresAt: expiresAt?.toISOString() ?? null, heldRequests: held.size };
  }

  /** Ends held requests by dropping their sockets, as a process that recovers from a hang would. */
  function releaseHeld() {
    for (const res of held) res.destroy();
    held.clear();
  }

  /** @param {Faults} next @param {number} [durationSeconds] */
  function apply(next, durationSeconds) {
    clearTimeout(expiryTimer);
    faults = next;
    expiresAt = durationSeconds ? new Date(Date.now() + durationSeconds * 1000) : null;
    if (durationSeconds) {
      expiryTimer = setTimeout(() => reset({ reason: "expired" }), durationSeconds * 1000);
      expiryTimer.unref();
    }
    if (faults.mode !== "hang") releaseHeld();
  }

  /** @param {import("./log.mjs").LogContext} context */
  function reset(context) {
    apply(NORMAL);
    log.warn("chaos reset", { ...context, chaos: snapshot() });
  }

  return {
    snapshot,
    reset,
    mode: () => faults.mode,

    /** @param {ChaosRequest} request @param {import("./log.mjs").LogContext} context */
    set({ durationSeconds, ...next }, context) {
      apply(next, durationSeconds);
      log.warn("chaos changed", { ...context, chaos: snapshot() });
    },

    /**
     * Applies the current faults to one health or API request: resolves to HOLD when it
     * must hang, throws the injected 503 or 500, or resolves (after any latency) to go on.
     * "down" on /health is left to the health handler, which reports it in its own body.
     * @param {"health" | "api"} kind
     * @param {AbortSignal} signal
     * @returns {Promise<typeof HOLD | undefined>}
     */
    async intercept(kind, signal) {
      if (kind === "health" && faults.mode === "hang") return HOLD;
      if (faults.latencyMs > 0) await delay(faults.latencyMs, undefined, { signal });
      if (kind === "api" && faults.mode === "down") {
        throw new HttpError(503, "service unavailable (chaos: down)");
      }
      if (Math.random() < faults.errorRate) throw new Error("chaos: injected failure");
      return undefined;
    },

    /** @param {import("node:http").ServerResponse} res */
    hold(res) {
      held.add(res);
      res.on("close", () => held.delete(res));
    },

    /** Stops the expiry timer and drops held requests, without logging a change. */
    dispose() {
      clearTimeout(expiryTimer);
      releaseHeld();
    },
  };
}

/** @typedef {ReturnType<typeof createChaos>} ChaosControl */
