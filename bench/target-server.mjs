// @ts-check
// The HTTP target for bench/monitor-load.ts and bench/engine-load.ts, forked so its CPU
// is not counted as Opsdeck's: answers every request with "ok" after a random 5–50 ms
// (503 for paths under /down/), on 127.0.0.1. Reports its port over IPC, answers
// {type: "stats"} with the requests served, and {type: "arrivals"} with when each path
// was requested (epoch ms, sub-millisecond) since the previous {type: "arrivals"}: the
// time a check really reached its target, which the engine's own histogram cannot see.
// Exits when its parent goes away or after --max-seconds (default 600).
import http from "node:http";

const at = process.argv.indexOf("--max-seconds");
const maxSeconds = at > 0 ? Number(process.argv[at + 1]) : 600;
let requests = 0;
/** @type {Map<string, number[]>} */
let arrivals = new Map();
const now = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  const t = now();
  requests++;
  const url = req.url ?? "/";
  const list = arrivals.get(url);
  if (list) list.push(t);
  else arrivals.set(url, [t]);
  req.resume();
  const down = url.startsWith("/down/");
  setTimeout(
    () => {
      res.writeHead(down ? 503 : 200, { "content-type": "text/plain", "content-length": "2" });
      res.end(down ? "no" : "ok");
    },
    5 + Math.random() * 45,
  );
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ type: "ready", port: typeof address === "object" && address?.port });
});

process.on("message", (message) => {
  const type = message && /** @type {{type?: string}} */ (message).type;
  if (type === "stats") process.send?.({ type: "stats", requests });
  if (type === "arrivals") {
    process.send?.({ type: "arrivals", arrivals: Object.fromEntries(arrivals) });
    arrivals = new Map();
  }
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
setTimeout(() => process.exit(0), maxSeconds * 1000);
