// Opsdeck's HTTP server: Next.js behind a thin layer that owns what Next does not
// expose: the client address, request ids, per-route timing, the access log and a
// graceful shutdown that lets running jobs finish. `npm start` runs the build of
// this file (.next/opsdeck-server.mjs); `npm run dev` runs it with tsx.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

type Runtime = { shutdown?: (timeoutMs: number) => Promise<void>; close?: () => void };
const runtime = () => (globalThis as { __opsdeckRuntime?: Runtime }).__opsdeckRuntime;

async function bootFinished(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!runtime()) {
    if (Date.now() > deadline)
      throw new Error(`Opsdeck did not finish starting within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function main() {
  const dev = process.argv.includes("--dev");
  (process.env as Record<string, string | undefined>).NODE_ENV ??= dev
    ? "development"
    : "production";

  const { env } = await import("../env");
  const { default: next } = await import("next");
  const { default: pino } = await import("pino");
  const { default: client } = await import("prom-client");
  const { logOptions } = await import("../lib/log-format");
  const { routeMatcher } = await import("../lib/route-label");
  const { clientIp } = await import("../lib/client-ip");
  const { acceptRequestId } = await import("../lib/request-id");
  const { unparseableRequest } = await import("./bad-request");

  const log = pino(logOptions("opsdeck", env.LOG_LEVEL));
  const publicUrl = env.OPSDECK_URL ?? `http://localhost:${env.PORT}`;
  // next-auth reads its own variable for callback URLs and cookie security.
  process.env.NEXTAUTH_URL ??= publicUrl;

  const httpDuration = new client.Histogram({
    name: "opsdeck_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  const app = next({ dev, dir: process.cwd(), port: env.PORT, hostname: env.HOST });
  const handle = app.getRequestHandler();
  await app.prepare();
  // Next runs instrumentation.ts (config, migrations, first admin, jobs) without
  // awaiting it; do not take traffic before it is done. A boot that fails exits.
  if (!dev) await bootFinished(120_000);

  let labelFor: (pathname: string) => string = () => "(unmatched)";
  try {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(process.cwd(), ".next", "app-path-routes-manifest.json"), "utf8"),
    ) as Record<string, string>;
    labelFor = routeMatcher(Object.values(manifest));
  } catch {
    log.warn("no route manifest; HTTP metrics use one route label");
  }

  const server = http.createServer((req, res) => {
    const start = process.hrtime.bigint();
    const requestId = acceptRequestId(req.headers["x-request-id"], () => crypto.randomUUID());
    req.headers["x-request-id"] = requestId;
    // Only this server may say who the client is.
    req.headers["x-opsdeck-client-ip"] = clientIp(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"] as string | undefined,
      env.OPSDECK_TRUST_PROXY,
    );
    res.setHeader("x-request-id", requestId);
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const pathname = (req.url ?? "/").split("?")[0] ?? "/";
      const route = labelFor(pathname);
      httpDuration.observe(
        { method: req.method ?? "GET", route, status: String(res.statusCode) },
        seconds,
      );
      if (!route.startsWith("/_next")) {
        const line = {
          context: { requestId, endpoint: `${req.method} ${route}` },
          status: res.statusCode,
          durationMs: Math.round(seconds * 1000),
        };
        if (res.statusCode >= 500) log.error(line, "request failed");
        else log.debug(line, "request");
      }
    });
    const unparseable = unparseableRequest(req);
    if (unparseable) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end(`Bad request: ${unparseable}`);
      return;
    }
    handle(req, res).catch((err: unknown) => {
      log.error({ context: { requestId }, error: err }, "unhandled request error");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    });
  });
  server.keepAliveTimeout = 65_000;

  server.on("error", (err: NodeJS.ErrnoException) => {
    log.error(
      { error: err },
      err.code === "EADDRINUSE" ? `port ${env.PORT} is already in use; set PORT` : "server error",
    );
    process.exit(1);
  });

  server.listen(env.PORT, env.HOST, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : env.PORT;
    log.info(
      { context: { port, url: publicUrl, mode: dev ? "development" : "production" } },
      `Opsdeck listening on ${publicUrl}`,
    );
  });

  let stopping = 0;
  async function shutdown(signal: string) {
    if (stopping) {
      // One Ctrl-C reaches every process of the terminal's group, and a wrapper (npm run
      // demo) passes it on as well: a repeat within a second is the same request.
      if (Date.now() - stopping < 1000) return;
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = Date.now();
    log.info(
      { context: { signal, timeoutMs: env.OPSDECK_SHUTDOWN_TIMEOUT_MS } },
      "shutting down: no new requests, letting running jobs finish",
    );
    server.close();
    server.closeIdleConnections();
    try {
      await runtime()?.shutdown?.(env.OPSDECK_SHUTDOWN_TIMEOUT_MS);
    } catch (err) {
      log.error({ error: err }, "shutdown hook failed");
    }
    server.closeAllConnections();
    await app.close().catch(() => undefined);
    runtime()?.close?.();
    log.info("stopped");
    process.exit(0);
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

void main();
