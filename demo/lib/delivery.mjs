// @ts-check
/**
 * Stands in for the WebSocket push to the paired device (see presence.mjs): a sweep marks
 * taps delivered once they are a moment old. The UPDATE is real, so the database sees the
 * same write pattern as Navi's: one INSERT per tap, then one UPDATE when it is delivered.
 */

const SWEEP_INTERVAL_MS = 250;
const DELIVERY_DELAY_MS = 100;

/**
 * @param {{
 *   db: import("./database.mjs").NaviDatabase,
 *   metrics: import("./metrics.mjs").Metrics,
 *   log: import("./log.mjs").Logger,
 * }} deps
 * @returns {{ stop: () => void }}
 */
export function startDelivery({ db, metrics, log }) {
  const timer = setInterval(() => {
    try {
      const cutoff = new Date(Date.now() - DELIVERY_DELAY_MS).toISOString();
      metrics.tapsDelivered.inc(db.markDelivered(cutoff));
    } catch (error) {
      log.error("tap delivery failed", {}, error);
    }
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
