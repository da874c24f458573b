import { once } from "node:events";
import net, { type AddressInfo } from "node:net";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { monitorSchema, type TlsMonitorConfig } from "@/server/config/schema";
import { createTestAuthority, type KeyPair, type TestAuthority } from "@/test/certs";
import { probeTls } from "./tls";

const DAY_MS = 86_400_000;
const cleanups: (() => Promise<unknown>)[] = [];
let authority: TestAuthority;

beforeAll(() => void (authority = createTestAuthority()));
afterAll(() => authority.remove());
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

function serveTls(pair: KeyPair): Promise<number> {
  return listen(tls.createServer(pair));
}

function monitor(port: number, fields: Record<string, unknown> = {}): TlsMonitorConfig {
  const config = {
    id: "edge",
    service: "edge",
    environment: "prod",
    type: "tls",
    host: "127.0.0.1",
  };
  return monitorSchema.parse({ ...config, port, ...fields }) as TlsMonitorConfig;
}

function inDays(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}

describe("probeTls", () => {
  test("is up with a valid certificate, and describes it", async () => {
    const notAfter = inDays(40.5);
    const port = await serveTls(authority.issue({ notAfter }));

    expect(await probeTls(monitor(port), { ca: authority.ca })).toEqual({
      status: "up",
      responseMs: expect.any(Number),
      statusCode: null,
      error: null,
      tlsDaysLeft: 40,
      tls: {
        issuer: "Opsdeck Test CA, Opsdeck",
        subject: "127.0.0.1",
        // Certificates keep whole seconds.
        validTo: new Date(Math.floor(notAfter.getTime() / 1000) * 1000).toISOString(),
      },
    });
  });

  test("sends the host name for SNI and matches the certificate against it", async () => {
    const port = await serveTls(authority.issue({ hosts: ["localhost"] }));

    const result = await probeTls(monitor(port, { host: "localhost" }), { ca: authority.ca });

    expect(result).toMatchObject({ status: "up" });
  });

  test("is degraded when the certificate expires within warnDays", async () => {
    const port = await serveTls(authority.issue({ notAfter: inDays(12.5) }));

    const result = await probeTls(monitor(port), { ca: authority.ca });

    expect(result).toMatchObject({
      status: "degraded",
      tlsDaysLeft: 12,
      error: "certificate expires in 12 days (warn below 21)",
    });
  });

  test("is down on an expired certificate", async () => {
    const expired = authority.issue({ notBefore: inDays(-30), notAfter: inDays(-2.5) });
    const port = await serveTls(expired);

    const result = await probeTls(monitor(port), { ca: authority.ca });

    expect(result).toMatchObject({
      status: "down",
      tlsDaysLeft: -3,
      error: expect.stringMatching(/^certificate has expired \(on \d{4}-\d\d-\d\d\)$/),
      tls: { subject: "127.0.0.1" },
    });
  });

  test("judges expiry by the clock it is given", async () => {
    const port = await serveTls(authority.issue({ notAfter: inDays(30.5) }));

    const later = () => Date.now() + 31 * DAY_MS;
    const result = await probeTls(monitor(port), { ca: authority.ca, now: later });

    expect(result).toMatchObject({ status: "down", tlsDaysLeft: -1 });
  });

  test("is down on a certificate that is not valid yet", async () => {
    const port = await serveTls(authority.issue({ notBefore: inDays(2), notAfter: inDays(30) }));

    const result = await probeTls(monitor(port), { ca: authority.ca });

    expect(result).toMatchObject({
      status: "down",
      error: expect.stringMatching(/^certificate is not yet valid \(from \d{4}-\d\d-\d\d\)$/),
    });
  });

  test("is down on a self-signed certificate", async () => {
    const port = await serveTls(authority.selfSigned());

    const result = await probeTls(monitor(port), { ca: authority.ca });

    expect(result).toMatchObject({ status: "down", error: "self-signed certificate" });
  });

  test("is down when the certificate is for another host", async () => {
    const port = await serveTls(authority.issue());

    const result = await probeTls(monitor(port, { servername: "shop.example" }), {
      ca: authority.ca,
    });

    expect(result).toMatchObject({
      status: "down",
      error: "certificate is for another host (127.0.0.1, localhost)",
    });
  });

  test("times out when the server never completes the handshake", async () => {
    const port = await listen(net.createServer());

    expect(await probeTls(monitor(port, { timeout: "300ms" }))).toMatchObject({
      status: "down",
      error: "timed out after 300 ms",
    });
  });

  test("reports a server that does not speak TLS", async () => {
    const port = await listen(net.createServer((socket) => socket.end("HTTP/1.1 400 Bad\r\n\r\n")));

    expect(await probeTls(monitor(port))).toMatchObject({
      status: "down",
      error: "TLS handshake failed (is this port TLS?)",
    });
  });

  test("reports a server that hangs up during the handshake", async () => {
    const port = await listen(net.createServer((socket) => socket.destroy()));

    expect(await probeTls(monitor(port))).toMatchObject({
      status: "down",
      error: "connection closed during the TLS handshake",
    });
  });

  test("stops when the caller aborts", async () => {
    const controller = new AbortController();
    const port = await listen(net.createServer(() => controller.abort()));

    const result = await probeTls(monitor(port), { signal: controller.signal });

    expect(result).toMatchObject({ status: "down", error: "check aborted" });
  });
});
