// @ts-check
/**
 * WebSockets are SIMULATED. The real Navi backend pushes taps to phones and watches over
 * WebSockets, but the demo has no clients to hold sockets open, so the connection count
 * and the active-user count are bounded random walks that drift the way a live service's
 * would. Everything else (HTTP, SQLite writes, latency) is real.
 */

const MIN = 20;
const MAX = 400;
const MAX_STEP = 6;
const STEP_INTERVAL_MS = 1000;

/** @param {number} value */
function step(value) {
  const delta = Math.round((Math.random() * 2 - 1) * MAX_STEP);
  return Math.min(MAX, Math.max(MIN, value + delta));
}

function startingPoint() {
  return 80 + Math.floor(Math.random() * 120);
}

/** @returns {{ websocketConnections: () => number, activeUsers: () => number, stop: () => void }} */
export function startPresenceSimulation() {
  let connections = startingPoint();
  let users = startingPoint();
  const timer = setInterval(() => {
    connections = step(connections);
    users = step(users);
  }, STEP_INTERVAL_MS);
  timer.unref();
  return {
    websocketConnections: () => connections,
    activeUsers: () => users,
    stop: () => clearInterval(timer),
  };
}
