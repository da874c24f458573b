import { once } from "node:events";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type HttpMonitorConfig, monitorSchema } from "@/server/config/schema";
import { createTestAuthority, type KeyPair, type TestAuthority } from "@/test/certs";
import { probeHttp } from "./http";
import { MAX_BODY_BYTES } from "./types";

const DAY_MS = 86_400_000;
type AnyHttpServer = http.Server | https.Server;
const servers: AnyHttpServer[] = [];

afterEach(() => Promise.all(servers.splice(0).map(stop)));

/** Starts `server` on a free port of 127.0.0.1; afterEach stops it and drops its connections. */
async function listen(server: AnyHttpServer): Promise<number> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

function stop(server: AnyHttpServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function serve(handler: http.RequestListener): Promise<string> {
  return `http://127.0.0.1:${await listen(http.createServer(handler))}`;
}

async function serveHttps(pair: KeyPair, handler: http.RequestListener): Promise<string> {
  return `https://127.0.0.1:${await listen(https.createServer(pair, handler))}`;
}

function monitor(url: string, fields: Record<string, unknown> = {}): HttpMonitorConfig {
  const config = { id: "web", service: "web", environment: "prod", type: "http", url, ...fields };
  return monitorSchema.parse(config) as HttpMonitorConfig;
}

function reply(
  status: number,
  body = "",
  headers: http.OutgoingHttpHeaders = {},
): http.RequestListener {
  return (_req, res) => res.writeHead(status, headers).end(body);
}

function readRequestBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
  });
}

function inDays(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}

describe("probeHttp: status", () => {
  test("is up on a 2xx answer", async () => {
    const url = await serve(reply(200, "hello"));

    expect(await probeHttp(monitor(url))).toEqual({
      status: "up",
      statusCode: 200,
      responseMs: expect.any(Number),
      error: null,
      tlsDaysLeft: null,
    });
  });

  test("sends the configured method, headers and body, with Opsdeck's user agent", async () => {
    let seen: { method?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const url = await serve(async (req, res) => {
      seen = { method: req.method, headers: req.headers, body: await readRequestBody(req) };
      res.end();
    });

    await probeHttp(
      monitor(`${url}/hook?x=1`, { method: "PUT", headers: { "X-Token": "abc" }, body: "ping" }),
    );

    expect(seen.method).toBe("PUT");
    expect(seen.headers).toMatchObject({ "x-token": "abc", "user-agent": "Opsdeck uptime check" });
    expect(seen.body).toBe("ping");
  });

  test("keeps a user agent the config sets", async () => {
    let userAgent: string | undefined;
    const url = await serve((req, res) => res.end((userAgent = req.headers["user-agent"])));

    await probeHttp(monitor(url, { headers: { "User-Agent": "status-bot" } }));

    expect(userAgent).toBe("status-bot");
  });

  test("is down with the status code when it is not expected", async () => {
    const url = await serve(reply(503, "maintenance"));

    expect(await probeHttp(monitor(url))).toMatchObject({
      status: "down",
      statusCode: 503,
      error: "HTTP 503, expected 200-299",
      responseMs: expect.any(Number),
    });
  });

  test.each([
    [204, "up", null],
    [404, "up", null],
    [205, "down", "HTTP 205, expected 200-204, 404"],
  ])("checks status %i against a list of ranges", async (code, status, error) => {
    const url = await serve(reply(code));

    const result = await probeHttp(monitor(url, { expect: { status: ["200-204", 404] } }));

    expect(result).toMatchObject({ status, error, statusCode: code });
  });

  test("sends HEAD and judges the headers alone", async () => {
    let method: string | undefined;
    const url = await serve((req, res) => res.end((method = req.method)));

    expect(await probeHttp(monitor(url, { method: "HEAD" }))).toMatchObject({ status: "up" });
    expect(method).toBe("HEAD");
  });

  test("is down, not thrown, when a header cannot be sent", async () => {
    const url = await serve(reply(200));

    const result = await probeHttp(monitor(url, { headers: { "X-Bad": "line\nbreak" } }));

    expect(result).toMatchObject({ status: "down", error: expect.stringMatching(/header/i) });
  });
});

describe("probeHttp: body", () => {
  test.each([
    [{ keyword: "ok" }, "up", null],
    [{ keyword: "OK" }, "down", 'keyword "OK" not found'],
    [{ notKeyword: "error" }, "up", null],
    [{ notKeyword: "ok" }, "down", 'unwanted keyword "ok" found'],
  ])("checks keywords, case-sensitively: %o", async (expectation, status, error) => {
    const url = await serve(reply(200, "status: ok"));

    const result = await probeHttp(monitor(url, { expect: expectation }));

    expect(result).toMatchObject({ status, error });
  });

  const document = {
    status: "ok",
    checks: { database: "fail" },
    items: [{ state: "running", tags: ["a", "b"] }],
    count: 3,
    load: 0.5,
    flag: false,
    nothing: null,
  };

  test.each([
    ["status", "==", "ok", null],
    ["checks.database", "==", "ok", 'json checks.database is "fail", expected == "ok"'],
    ["checks.database", "!=", "ok", null],
    ["checks.database", "!=", "fail", 'json checks.database is "fail", expected != "fail"'],
    ["count", "==", "3", 'json count is 3, expected == "3"'],
    ["flag", "==", false, null],
    ["nothing", "==", null, null],
    ["count", ">", 2, null],
    ["count", ">", 3, "json count is 3, expected > 3"],
    ["count", ">=", 3, null],
    ["load", "<", 0.5, "json load is 0.5, expected < 0.5"],
    ["load", "<=", 0.5, null],
    ["status", ">", 1, 'json status is "ok", expected > 1'],
    ["items[0].state", "contains", "run", null],
    ["items[0].tags", "contains", "b", null],
    ["items[0].tags", "contains", "c", 'json items[0].tags is ["a","b"], expected contains "c"'],
    ["items[0].state", "exists", undefined, null],
    ["nothing", "exists", undefined, null],
    ["items[1].state", "exists", undefined, "json items[1].state is missing"],
    ["status.constructor", "exists", undefined, "json status.constructor is missing"],
    ["version", "==", "1", 'json version is missing, expected == "1"'],
  ])("checks JSON: %s %s %o", async (path, op, value, error) => {
    const url = await serve(reply(200, JSON.stringify(document)));

    const result = await probeHttp(monitor(url, { expect: { json: { path, op, value } } }));

    expect(result).toMatchObject({ status: error ? "down" : "up", error, statusCode: 200 });
  });

  test("is down when a JSON check meets a body that is not JSON", async () => {
    const url = await serve(reply(200, "<html>ok</html>"));

    const result = await probeHttp(monitor(url, { expect: { json: { path: "status" } } }));

    expect(result).toMatchObject({ status: "down", error: "response is not JSON" });
  });

  test("reads 1 MiB of an endless body, then hangs up", async () => {
    let hungUp!: Promise<unknown>;
    const url = await serve((_req, res) => {
      hungUp = once(res, "close");
      res.writeHead(200).write("healthy ");
      const chunk = Buffer.alloc(64 * 1024, "x");
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", pump);
      pump();
    });

    const result = await probeHttp(monitor(url, { expect: { keyword: "healthy" } }));

    expect(result).toMatchObject({ status: "up", statusCode: 200 });
    await hungUp;
  });

  test("does not find a keyword past the first 1 MiB", async () => {
    const url = await serve(reply(200, `${"x".repeat(MAX_BODY_BYTES)}needle`));

    const result = await probeHttp(monitor(url, { expect: { keyword: "needle" } }));

    expect(result).toMatchObject({
      status: "down",
      error: 'keyword "needle" not found in the first 1 MiB',
    });
  });

  test("is degraded when slower than maxResponseTime", async () => {
    const url = await serve((_req, res) => setTimeout(() => res.end("ok"), 150));

    const result = await probeHttp(monitor(url, { expect: { maxResponseTime: "20ms" } }));

    expect(result).toMatchObject({
      status: "degraded",
      statusCode: 200,
      error: expect.stringMatching(/^response took \d+ ms, over 20 ms$/),
    });
  });
});

describe("probeHttp: network failures", () => {
  test("times out on a server that never answers, and hangs up on it", async () => {
    let hungUp!: Promise<unknown>;
    const url = await serve((req) => void (hungUp = once(req.socket, "close")));

    const result = await probeHttp(monitor(url, { timeout: "300ms" }));

    expect(result).toEqual({
      status: "down",
      statusCode: null,
      responseMs: null,
      error: "timed out after 300 ms",
      tlsDaysLeft: null,
    });
    await hungUp;
  });

  test("keeps the status code when the body times out", async () => {
    const url = await serve((_req, res) => res.writeHead(200).write("partial"));

    const result = await probeHttp(monitor(url, { timeout: "300ms" }));

    expect(result).toMatchObject({
      status: "down",
      statusCode: 200,
      error: "timed out after 300 ms",
    });
  });

  test("reports a reset connection", async () => {
    const url = await serve((req) => req.socket.resetAndDestroy());

    expect(await probeHttp(monitor(url))).toMatchObject({
      status: "down",
      error: "connection reset by peer",
    });
  });

  test("reports a server that hangs up without answering", async () => {
    const url = await serve((req) => req.socket.destroy());

    expect(await probeHttp(monitor(url))).toMatchObject({
      status: "down",
      error: "socket hang up (the server closed the connection without answering)",
    });
  });

  test("reports a body cut short", async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { "content-length": 100 });
      res.write("ten bytes.", () => req.socket.destroy());
    });

    expect(await probeHttp(monitor(url))).toMatchObject({
      status: "down",
      statusCode: 200,
      error: "connection closed before the response was complete",
    });
  });

  test("reports a refused connection", async () => {
    const server = http.createServer();
    const port = await listen(server);
    await stop(server);

    expect(await probeHttp(monitor(`http://127.0.0.1:${port}`))).toMatchObject({
      status: "down",
      error: "connection refused",
    });
  });

  test("reports a host that does not resolve", async () => {
    const result = await probeHttp(monitor("http://opsdeck-probe-test.invalid/"));

    expect(result).toMatchObject({ status: "down", error: expect.stringContaining("(DNS)") });
  });

  test("stops when the caller aborts", async () => {
    const controller = new AbortController();
    const url = await serve(() => controller.abort());

    const result = await probeHttp(monitor(url, { timeout: "60s" }), { signal: controller.signal });

    expect(result).toMatchObject({ status: "down", error: "check aborted" });
  });

  test("does not start when the caller has already aborted", async () => {
    let requests = 0;
    const url = await serve(() => requests++);

    const result = await probeHttp(monitor(url), { signal: AbortSignal.abort() });

    expect(result).toMatchObject({ status: "down", error: "check aborted" });
    expect(requests).toBe(0);
  });
});

describe("probeHttp: redirects", () => {
  test("follows a redirect and judges where it ends", async () => {
    const url = await serve((req, res) =>
      req.url === "/"
        ? res.writeHead(302, { location: "/home" }).end()
        : res.end(`arrived at ${req.url}`),
    );

    const result = await probeHttp(monitor(url, { expect: { keyword: "arrived at /home" } }));

    expect(result).toMatchObject({ status: "up", statusCode: 200 });
  });

  test("judges the redirect itself when not following", async () => {
    const url = await serve(reply(301, "", { location: "/elsewhere" }));

    const down = await probeHttp(monitor(url, { followRedirects: false }));
    const up = await probeHttp(monitor(url, { followRedirects: false, expect: { status: 301 } }));

    expect(down).toMatchObject({ status: "down", error: "HTTP 301, expected 200-299" });
    expect(up).toMatchObject({ status: "up", statusCode: 301 });
  });

  test("gives up on a redirect loop after maxRedirects", async () => {
    let requests = 0;
    const url = await serve((req, res) => {
      requests++;
      res.writeHead(302, { location: req.url === "/a" ? "/b" : "/a" }).end();
    });

    const result = await probeHttp(monitor(url));

    expect(result).toMatchObject({
      status: "down",
      statusCode: 302,
      error: "too many redirects (more than 5)",
    });
    expect(requests).toBe(6);
  });

  test("turns a POST into a GET without body after a 303", async () => {
    const seen: string[] = [];
    const url = await serve(async (req, res) => {
      const body = await readRequestBody(req);
      seen.push(`${req.method} ${req.url} [${body}] ${req.headers["content-type"] ?? "-"}`);
      if (req.url === "/form") res.writeHead(303, { location: "/done" });
      res.end();
    });

    await probeHttp(
      monitor(`${url}/form`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "data",
      }),
    );

    expect(seen).toEqual(["POST /form [data] text/plain", "GET /done [] -"]);
  });

  test("repeats a POST with its body after a 307", async () => {
    const seen: string[] = [];
    const url = await serve(async (req, res) => {
      seen.push(`${req.method} ${req.url} [${await readRequestBody(req)}]`);
      if (req.url === "/old") res.writeHead(307, { location: "/new" });
      res.end();
    });

    await probeHttp(monitor(`${url}/old`, { method: "POST", body: "data" }));

    expect(seen).toEqual(["POST /old [data]", "POST /new [data]"]);
  });

  test("does not pass credentials on to another origin", async () => {
    const authorization: Record<string, string | undefined> = {};
    const other = await serve((req, res) =>
      res.end((authorization.other = req.headers.authorization)),
    );
    const url = await serve((req, res) => {
      authorization[req.url!] = req.headers.authorization;
      res.writeHead(302, { location: req.url === "/" ? "/same" : other }).end();
    });

    await probeHttp(monitor(url, { headers: { Authorization: "Bearer secret" } }));

    expect(authorization).toEqual({
      "/": "Bearer secret",
      "/same": "Bearer secret",
      other: undefined,
    });
  });
});

describe("probeHttp: HTTPS", () => {
  let authority: TestAuthority;
  beforeAll(() => void (authority = createTestAuthority()));
  afterAll(() => authority.remove());

  test("is up with a valid certificate, and records its days left", async () => {
    const url = await serveHttps(authority.issue({ notAfter: inDays(30.5) }), reply(200, "ok"));

    const result = await probeHttp(monitor(url), { ca: authority.ca });

    expect(result).toMatchObject({ status: "up", statusCode: 200, tlsDaysLeft: 30, error: null });
  });

  test("is degraded when the certificate expires within tlsWarnDays", async () => {
    const url = await serveHttps(authority.issue({ notAfter: inDays(5.5) }), reply(200));

    const result = await probeHttp(monitor(url, { tlsWarnDays: 7 }), { ca: authority.ca });

    expect(result).toMatchObject({
      status: "degraded",
      tlsDaysLeft: 5,
      error: "certificate expires in 5 days",
    });
  });

  test("is down on an expired certificate, with its days left negative", async () => {
    const expired = authority.issue({ notBefore: inDays(-30), notAfter: inDays(-2.5) });
    const url = await serveHttps(expired, reply(200));

    const result = await probeHttp(monitor(url), { ca: authority.ca });

    expect(result).toMatchObject({
      status: "down",
      tlsDaysLeft: -3,
      statusCode: null,
      error: expect.stringMatching(/^certificate has expired \(on \d{4}-\d\d-\d\d\)$/),
    });
  });

  test("is down on a self-signed certificate, without sending the request", async () => {
    let requests = 0;
    const url = await serveHttps(
      authority.selfSigned({ notAfter: inDays(30.5) }),
      () => requests++,
    );

    const result = await probeHttp(monitor(url), { ca: authority.ca });

    expect(result).toMatchObject({
      status: "down",
      error: "self-signed certificate",
      tlsDaysLeft: 30,
    });
    expect(requests).toBe(0);
  });

  test("is down on a certificate from an unknown authority", async () => {
    const url = await serveHttps(authority.issue(), reply(200));

    const result = await probeHttp(monitor(url));

    expect(result).toMatchObject({
      status: "down",
      error: expect.stringMatching(/^certificate issued by an unknown authority/),
    });
  });

  test("is down on a certificate for another host", async () => {
    const url = await serveHttps(authority.issue({ hosts: ["other.example"] }), reply(200));

    const result = await probeHttp(monitor(url), { ca: authority.ca });

    expect(result).toMatchObject({
      status: "down",
      error: "certificate is for another host (other.example)",
    });
  });

  test("ignores certificate errors when told to, still recording the days left", async () => {
    const url = await serveHttps(authority.selfSigned({ notAfter: inDays(3.5) }), reply(200));

    const result = await probeHttp(monitor(url, { ignoreTlsErrors: true }));

    expect(result).toMatchObject({ status: "up", statusCode: 200, tlsDaysLeft: 3, error: null });
  });
});
