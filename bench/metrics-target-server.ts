// The scrape targets of bench/metrics-ingest.ts, forked (through tsx) so their CPU is not
// counted as Opsdeck's: `--targets` listeners on 127.0.0.1, one port each (so each is its
// own `instance`), each serving GET /metrics with its own BenchTarget (seeded by its
// index), a step further on every request. Reports its ports over IPC, answers
// {type: "arrivals"} with when each port was scraped (epoch ms, sub-millisecond) since the
// previous {type: "arrivals"}, and {type: "stats"} with the scrapes served since start.
// Exits when its parent goes away or after --max-seconds (default 900).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { BenchTarget } from "./metrics-series";

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const TARGETS = flag("targets", 50);
const MAX_SECONDS = flag("max-seconds", 900);
const now = () => performance.timeOrigin + performance.now();

let arrivals = new Map<number, number[]>();
let served = 0;

async function listen(index: number): Promise<number> {
  const target = new BenchTarget(index + 1);
  let port = 0;
  const server = http.createServer((req, res) => {
    const t = now();
    req.resume();
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    const list = arrivals.get(port);
    if (list) list.push(t);
    else arrivals.set(port, [t]);
    served++;
    const body = target.scrape(Date.now());
    res.writeHead(200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  return port;
}

async function main() {
  const ports: number[] = [];
  for (let i = 0; i < TARGETS; i++) ports.push(await listen(i));
  process.send?.({ type: "ready", ports });
}

process.on("message", (message: { type?: string }) => {
  if (message.type === "stats") process.send?.({ type: "stats", served });
  if (message.type === "arrivals") {
    process.send?.({ type: "arrivals", arrivals: Object.fromEntries(arrivals) });
    arrivals = new Map();
  }
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
setTimeout(() => process.exit(0), MAX_SECONDS * 1000).unref();
void main();
