// @ts-check
/**
 * Makes the demo look used: real HTTP requests to the service's own API over loopback,
 * so request latencies, counters and database writes are genuine, not made up.
 */

const TICK_MS = 100;
/** Beyond this many unanswered requests (say, under injected latency) ticks send nothing. */
const MAX_IN_FLIGHT = 200;
const USER_AGENT = "navi-traffic-generator";

/**
 * @typedef {object} TrafficDeps
 * @property {string} baseUrl
 * @property {number} ratePerSecond
 * @property {() => [number, number] | undefined} randomPairing
 * @property {() => [number, number]} randomDevices
 */

/**
 * One request of the usual mix: mostly taps, some reads, a few new pairings.
 * @param {TrafficDeps} deps
 * @returns {{ method: string, path: string, body?: unknown }}
 */
function nextRequest({ randomPairing, randomDevices }) {
  const roll = Math.random();
  const pairing = randomPairing();
  if (roll < 0.7 && pairing) {
    const [from, to] = Math.random() < 0.5 ? pairing : [pairing[1], pairing[0]];
    return { method: "POST", path: "/api/taps", body: { from, to } };
  }
  if (roll < 0.9) return { method: "GET", path: "/api/users/active" };
  const [deviceA, deviceB] = randomDevices();
  return { method: "POST", path: "/api/pairings", body: { deviceA, deviceB } };
}

/**
 * @param {TrafficDeps} deps
 * @returns {{ stop: () => void }}
 */
export function startTraffic(deps) {
  const stopped = new AbortController();
  let inFlight = 0;
  // Fractional requests carry over between ticks so any rate, even 0.5/s, comes out exact.
  let owed = 0;
  let lastTick = performance.now();

  async function send() {
    const { method, path, body } = nextRequest(deps);
    inFlight++;
    try {
      const response = await fetch(new URL(path, deps.baseUrl), {
        method,
        headers: { "content-type": "application/json", "user-agent": USER_AGENT },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: stopped.signal,
      });
      await response.arrayBuffer();
    } catch {
      // The service logs its own side of every request; a failure here is the service
      // being stopped or chaos dropping the connection, which is the point of chaos.
    } finally {
      inFlight--;
    }
  }

  const timer = setInterval(() => {
    const now = performance.now();
    owed += (deps.ratePerSecond * (now - lastTick)) / 1000;
    lastTick = now;
    for (; owed >= 1; owed--) {
      if (inFlight < MAX_IN_FLIGHT) void send();
    }
  }, TICK_MS);

  return {
    stop() {
      clearInterval(timer);
      stopped.abort();
    },
  };
}
