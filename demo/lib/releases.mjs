// @ts-check
import { setTimeout as delay } from "node:timers/promises";

/**
 * @typedef {object} ReleaseFault
 * @property {number} latencyMs Added to every /health and /api/* answer.
 * @property {number} errorRate Share of /api/* requests that throw (answer 500); /health always does.
 * @property {string} bug What the release throws.
 */

/**
 * Releases of the demo service that ship with a bug, as a bad deploy does: the fault
 * comes with the version, so deploying (rolling back to) another version removes it,
 * while the chaos endpoint neither shows nor resets it.
 * @type {Readonly<Record<string, ReleaseFault>>}
 */
export const BAD_RELEASES = Object.freeze({
  "1.4.3": {
    latencyMs: 1200,
    errorRate: 0.5,
    bug: "TypeError: Cannot read properties of undefined (reading 'deviceId') (tap queue, new in 1.4.3)",
  },
});

/**
 * The fault a version ships with, if any.
 * @param {string} version
 * @returns {ReleaseFault | null}
 */
export function releaseFault(version) {
  return Object.hasOwn(BAD_RELEASES, version)
    ? /** @type {ReleaseFault} */ (BAD_RELEASES[version])
    : null;
}

/**
 * Runs the bug of the version being served on one health or API request: waits its
 * latency, then throws on every health check and on its share of API requests.
 * @param {string} version
 * @param {"health" | "api"} kind
 * @param {AbortSignal} signal
 */
export async function runRelease(version, kind, signal) {
  const fault = releaseFault(version);
  if (!fault) return;
  await delay(fault.latencyMs, undefined, { signal });
  if (kind === "health" || Math.random() < fault.errorRate) throw new Error(fault.bug);
}
