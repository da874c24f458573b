// @ts-check
// The HTTP target for bench/monitor-load.ts, forked so its CPU is not counted as
// Opsdeck's: answers every request with "ok" after a random 5–50 ms, on 127.0.0.1.
// Reports its port over IPC, answers {type: "stats"} with the requests served, and
// exits when its parent goes away or after --max-seconds (default 600).
import http from "node:http";

const at = process.argv.indexOf("--max-seconds");
const maxSeconds = at > 0 ? Number(process.argv[at + 1]) : 600;
let requests = 0;

const server = http.createServer((req, res) => {
  requests++;
  req.resume();
  setTimeout(
    () => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
      res.end("ok");
    },
    5 + Math.random() * 45,
  );
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ type: "ready", port: typeof address === "object" && address?.port });
});

process.on("message", (message) => {
  if (message && /** @type {{type?: string}} */ (message).type === "stats") {
    process.send?.({ type: "stats", requests });
  }
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
setTimeout(() => process.exit(0), maxSeconds * 1000);
