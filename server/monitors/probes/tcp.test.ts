import { once } from "node:events";
import net, { type AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, test } from "vitest";
import { monitorSchema, type TcpMonitorConfig } from "@/server/config/schema";
import { probeTcp } from "./tcp";

const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(() => Promise.all(cleanups.splice(0).map((cleanup) => cleanup())));

async function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => sockets.add(socket));
  cleanups.push(() => {
    sockets.forEach((socket) => socket.destroy());
    return new Promise((resolve) => server.close(resolve));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/**
 * A port whose SYNs go unanswered, like a host behind a dropping firewall: a listener in a
 * worker whose event loop is blocked, so it never accepts, with its accept queue filled.
 * Linux queues backlog + 1 connections and then drops further SYNs.
 */
async function unresponsivePort(): Promise<number> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const server = require("node:net").createServer();
     server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0);
     });`,
    { eval: true, workerData: release },
  );
  const [port] = (await once(worker, "message")) as [number];
  const fillers = [0, 1].map(() => net.connect({ port, host: "127.0.0.1" }).on("error", () => {}));
  await Promise.all(fillers.map((socket) => once(socket, "connect")));
  cleanups.push(() => {
    fillers.forEach((socket) => socket.destroy());
    Atomics.notify(release, 0);
    return worker.terminate();
  });
  return port;
}

function monitor(port: number, fields: Record<string, unknown> = {}): TcpMonitorConfig {
  const config = { id: "db", service: "db", environment: "prod", type: "tcp", host: "127.0.0.1" };
  return monitorSchema.parse({ ...config, port, ...fields }) as TcpMonitorConfig;
}

describe("probeTcp", () => {
  test("is up when the port accepts, and closes the connection", async () => {
    let closed!: Promise<unknown>;
    const server = net.createServer((socket) => void (closed = once(socket, "close")));
    const port = await listen(server);

    expect(await probeTcp(monitor(port))).toEqual({
      status: "up",
      responseMs: expect.any(Number),
      statusCode: null,
      error: null,
      tlsDaysLeft: null,
    });
    await closed;
  });

  test("reports a refused connection", async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));

    expect(await probeTcp(monitor(port))).toMatchObject({
      status: "down",
      error: "connection refused",
      responseMs: null,
    });
  });

  test("times out when nothing answers", async () => {
    const port = await unresponsivePort();

    expect(await probeTcp(monitor(port, { timeout: "300ms" }))).toMatchObject({
      status: "down",
      error: "timed out after 300 ms",
    });
  });

  test("reports a host that does not resolve", async () => {
    const result = await probeTcp(monitor(5432, { host: "opsdeck-probe-test.invalid" }));

    expect(result).toMatchObject({ status: "down", error: expect.stringContaining("(DNS)") });
  });

  test("stops when the caller aborts", async () => {
    const port = await unresponsivePort();
    const controller = new AbortController();

    const probe = probeTcp(monitor(port, { timeout: "60s" }), { signal: controller.signal });
    controller.abort();

    expect(await probe).toMatchObject({ status: "down", error: "check aborted" });
  });
});
