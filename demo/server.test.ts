import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  isLoopback,
  optionsFromArgs,
  startDemo,
  type DemoHandle,
  type DemoOptions,
} from "./server.mjs";

type LogLine = {
  timestamp: string;
  level: string;
  service: string;
  message: string;
  context: Record<string, unknown>;
  error?: { message: string; stack?: string };
};
type ChaosState = {
  latencyMs: number;
  errorRate: number;
  mode: string;
  expiresAt: string | null;
  heldRequests: number;
};

const running: DemoHandle[] = [];
const dataDirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((demo) => demo.close()));
  for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "navi-demo-test-"));
  dataDirs.push(dir);
  return dir;
}

/** One instance on a free port with its own temp data dir, traffic off unless asked for. */
async function start(options: DemoOptions = {}) {
  const dataDir = options.dataDir ?? tempDataDir();
  const lines: string[] = [];
  const demo = await startDemo({
    name: "test",
    traffic: 0,
    log: (line) => lines.push(line),
    ...options,
    dataDir,
  });
  running.push(demo);
  return {
    demo,
    dataDir,
    logs: () => lines.map((line) => JSON.parse(line) as LogLine),
    request: (route: string, init?: RequestInit) => fetch(`${demo.url}${route}`, init),
    post: (route: string, body: unknown) =>
      fetch(`${demo.url}${route}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
  };
}

/** Runs one read against the instance's SQLite file through a separate connection. */
function query<T>(dataDir: string, sql: string, ...params: unknown[]): T {
  const db = new Database(path.join(dataDir, "navi.db"), { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function elapsedMs(request: () => Promise<Response>) {
  const startedAt = performance.now();
  await (await request()).arrayBuffer();
  return performance.now() - startedAt;
}

describe("health and version", () => {
  it("answers ok with the version, environment and database check, echoing x-request-id", async () => {
    const navi = await start({ version: "2.3.4" });
    const res = await navi.request("/health", { headers: { "x-request-id": "probe-1" } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain("ok");
    expect(res.headers.get("x-request-id")).toBe("probe-1");
    expect(JSON.parse(text)).toMatchObject({
      status: "ok",
      version: "2.3.4",
      service: "navi-backend",
      environment: "test",
      checks: { database: "ok" },
    });
  });

  it("prefers the version file in the data dir over the option", async () => {
    const dataDir = tempDataDir();
    fs.writeFileSync(path.join(dataDir, "version"), "1.5.0-rc.1\n");
    const navi = await start({ dataDir, version: "1.0.0" });
    expect(await (await navi.request("/version")).json()).toEqual({ version: "1.5.0-rc.1" });
  });

  it("switches version on a loopback deploy, keeps it across a restart, and refuses bad versions", async () => {
    const navi = await start({ version: "1.0.0" });
    const res = await navi.post("/deploy", { version: "2.1.0" });
    expect(await res.json()).toEqual({ version: "2.1.0", previous: "1.0.0", environment: "test" });
    expect(await (await navi.request("/health")).json()).toMatchObject({ version: "2.1.0" });
    expect(fs.readFileSync(path.join(navi.dataDir, "version"), "utf8").trim()).toBe("2.1.0");
    expect((await navi.post("/deploy", { version: "latest" })).status).toBe(400);
    expect((await navi.post("/deploy", { version: "2.2.0", force: true })).status).toBe(400);
    expect(await (await navi.request("/version")).json()).toEqual({ version: "2.1.0" });
  });

  it("refuses to start with a version that is not semver", async () => {
    const dataDir = tempDataDir();
    await expect(startDemo({ dataDir, version: "latest", log: () => {} })).rejects.toThrow(
      /semver/,
    );
  });
});

describe("metrics", () => {
  it("serves valid Prometheus text with a 0.5 s latency bucket and the Navi metrics", async () => {
    const navi = await start();
    await navi.request("/health");
    const res = await navi.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();

    // Values are Go floats, so NaN and Inf in any case (prom-client writes "Nan" at first).
    const sample =
      /^[a-zA-Z_:][\w:]*(\{([a-zA-Z_]\w*="(\\.|[^"\\])*",?)*\})? [-+]?(\d[\d.e+-]*|nan|inf)$/i;
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
      expect(line).toMatch(sample);
    }
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{[^}]*le="0\.5"[^}]*route="\/health"[^}]*\} 1$/m,
    );
    for (const name of [
      "http_requests_total",
      "navi_taps_sent_total",
      "navi_taps_delivered_total",
      "navi_websocket_connections",
      "navi_active_users",
      "navi_pairing_attempts_total",
      "navi_pairing_successes_total",
      "navi_db_size_bytes",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, "m"));
    }
  });

  it("labels unknown paths as one route so ids never reach the labels", async () => {
    const navi = await start();
    expect((await navi.request("/api/taps/12345")).status).toBe(404);
    const text = await (await navi.request("/metrics")).text();
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain("12345");
  });
});

describe("API", () => {
  it("stores a tap between paired devices and delivers it", async () => {
    const navi = await start();
    const pair = query<{ a: number; b: number }>(
      navi.dataDir,
      "SELECT device_a AS a, device_b AS b FROM pairings LIMIT 1",
    );
    const res = await navi.post("/api/taps", { from: pair.b, to: pair.a });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };

    const row = query<{ from_device: number; to_device: number }>(
      navi.dataDir,
      "SELECT from_device, to_device FROM taps WHERE id = ?",
      id,
    );
    expect(row).toEqual({ from_device: pair.b, to_device: pair.a });
    await waitFor(
      () =>
        query<{ d: string | null }>(
          navi.dataDir,
          "SELECT delivered_at AS d FROM taps WHERE id = ?",
          id,
        ).d,
      "the tap to be delivered",
    );
    expect(await (await navi.request("/metrics")).text()).toMatch(/^navi_taps_delivered_total 1$/m);
  });

  it("answers bad input with 400, 404, 409, 413 and 415 and stores nothing", async () => {
    const navi = await start();
    const send = (body: string, contentType = "application/json") =>
      navi.request("/api/taps", { method: "POST", headers: { "content-type": contentType }, body });

    expect((await send("{not json")).status).toBe(400);
    expect(await (await send('{"from":1}')).json()).toEqual({
      error: "to must be a positive integer device id",
    });
    expect((await send('{"from":1,"to":2,"extra":true}')).status).toBe(400);
    expect((await send('{"from":1,"to":1}')).status).toBe(400);
    expect((await send('{"from":1,"to":99999}')).status).toBe(404);
    expect((await send(JSON.stringify({ from: 1, to: 2, pad: "x".repeat(20_000) }))).status).toBe(
      413,
    );
    expect((await send('{"from":1,"to":2}', "text/plain")).status).toBe(415);

    const unpaired = query<{ a: number; b: number }>(
      navi.dataDir,
      `SELECT d1.id AS a, d2.id AS b FROM devices d1, devices d2 WHERE d1.id < d2.id
       AND NOT EXISTS (SELECT 1 FROM pairings WHERE device_a = d1.id AND device_b = d2.id) LIMIT 1`,
    );
    expect((await send(JSON.stringify({ from: unpaired.a, to: unpaired.b }))).status).toBe(409);
    expect(query<{ n: number }>(navi.dataDir, "SELECT count(*) AS n FROM taps").n).toBe(0);
  });

  it("refuses an oversized body sent without a Content-Length", async () => {
    const navi = await start();
    const chunk = new TextEncoder().encode(" ".repeat(10_000));
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await navi.request("/api/taps", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("pairs two devices once, counting attempts and successes", async () => {
    const navi = await start();
    const [deviceA, deviceB] = [1, 2];
    // Handshakes fail at random now and then, as they do on real devices.
    await waitFor(
      async () => (await navi.post("/api/pairings", { deviceA, deviceB })).status === 201,
      "a pairing",
    );
    expect((await navi.post("/api/pairings", { deviceA: deviceB, deviceB: deviceA })).status).toBe(
      409,
    );
    const text = await (await navi.request("/metrics")).text();
    expect(text).toMatch(/^navi_pairing_successes_total 1$/m);
    expect(Number(/^navi_pairing_attempts_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(
      2,
    );
  });

  it("reports active users within the simulated bounds", async () => {
    const navi = await start();
    const body = (await (await navi.request("/api/users/active")).json()) as {
      count: number;
      total: number;
    };
    expect(body.count).toBeGreaterThanOrEqual(20);
    expect(body.count).toBeLessThanOrEqual(400);
    expect(body.total).toBe(400);
  });
});

describe("chaos", () => {
  it("takes the service down and brings it back on reset", async () => {
    const navi = await start();
    expect((await navi.post("/chaos", { mode: "down" })).status).toBe(200);

    const health = await navi.request("/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "down" });
    expect((await navi.request("/api/users/active")).status).toBe(503);
    expect((await navi.request("/metrics")).status).toBe(200);

    expect((await navi.request("/chaos", { method: "DELETE" })).status).toBe(200);
    expect((await navi.request("/health")).status).toBe(200);
    expect(
      navi
        .logs()
        .filter((l) => l.level === "WARN")
        .map((l) => l.message),
    ).toEqual(["chaos changed", "chaos reset"]);
  });

  it("fails every request at errorRate 1 and logs each failure with its stack", async () => {
    const navi = await start();
    await navi.post("/chaos", { errorRate: 1 });
    expect((await navi.request("/health")).status).toBe(500);
    expect((await navi.request("/api/users/active")).status).toBe(500);
    expect((await navi.request("/version")).status).toBe(200);

    const failures = navi.logs().filter((l) => l.level === "ERROR");
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      message: "request failed",
      context: { endpoint: "GET /health", status: 500, environment: "test" },
      error: { message: "chaos: injected failure" },
    });
    expect(failures[0]?.error?.stack).toContain("chaos.mjs");
  });

  it("adds the configured latency to health checks", async () => {
    const navi = await start();
    await navi.post("/chaos", { latencyMs: 300 });
    expect(await elapsedMs(() => navi.request("/health"))).toBeGreaterThanOrEqual(290);
  });

  it("resets itself when the duration runs out", async () => {
    const navi = await start();
    const res = await navi.post("/chaos", { mode: "down", durationSeconds: 1 });
    expect(((await res.json()) as ChaosState).expiresAt).not.toBeNull();
    await waitFor(async () => (await navi.request("/health")).status === 200, "chaos to expire");
    expect(
      navi.logs().some((l) => l.message === "chaos reset" && l.context.reason === "expired"),
    ).toBe(true);
  });

  it.each([
    [{}],
    [[]],
    ["down"],
    [{ latencyMs: -1 }],
    [{ latencyMs: 60_001 }],
    [{ latencyMs: 1.5 }],
    [{ errorRate: 1.1 }],
    [{ errorRate: "0.5" }],
    [{ mode: "sideways" }],
    [{ mode: "down", durationSeconds: 0 }],
    [{ mode: "down", durationSeconds: 86_401 }],
    [{ durationSeconds: 10 }],
    [{ mode: "down", reason: "unknown keys are refused" }],
  ])("refuses %j with 400 and changes nothing", async (body) => {
    const navi = await start();
    const res = await navi.post("/chaos", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/\w/);
    expect(await (await navi.request("/chaos")).json()).toMatchObject({
      mode: "normal",
      latencyMs: 0,
      errorRate: 0,
    });
  });

  it("holds health checks open in hang mode until chaos is reset", async () => {
    const navi = await start();
    await navi.post("/chaos", { mode: "hang" });
    const hanging = navi.request("/health");
    await waitFor(
      async () => ((await (await navi.request("/chaos")).json()) as ChaosState).heldRequests === 1,
      "a held request",
    );

    await navi.request("/chaos", { method: "DELETE" });
    await expect(hanging).rejects.toThrow();
    expect((await navi.request("/health")).status).toBe(200);
  });

  it("ends a hanging health check when the service is closed", async () => {
    const navi = await start();
    await navi.post("/chaos", { mode: "hang" });
    const hanging = navi.request("/health");
    await waitFor(
      async () => ((await (await navi.request("/chaos")).json()) as ChaosState).heldRequests === 1,
      "a held request",
    );

    await navi.demo.close();
    await expect(hanging).rejects.toThrow();
  });

  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((iface) => iface?.family === "IPv4" && !iface.internal)?.address;

  it.skipIf(!external)("refuses chaos requests that do not come from loopback", async () => {
    const navi = await start({ host: "0.0.0.0" });
    const res = await fetch(`http://${external}:${navi.demo.port}/chaos`);
    expect(res.status).toBe(403);
    expect((await fetch(`http://${external}:${navi.demo.port}/health`)).status).toBe(200);
  });
});

describe("isLoopback", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["::FFFF:127.1.2.3", true],
    ["10.0.0.1", false],
    ["128.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["fe80::1", false],
    ["::", false],
    ["localhost", false],
    ["", false],
    [undefined, false],
  ])("%s → %s", (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});

describe("traffic generator", () => {
  it("sends real requests that write taps to the database", async () => {
    const navi = await start({ traffic: 200 });
    await waitFor(
      () => query<{ n: number }>(navi.dataDir, "SELECT count(*) AS n FROM taps").n > 0,
      "generated taps",
    );
    const text = await (await navi.request("/metrics")).text();
    expect(text).toMatch(
      /^http_requests_total\{method="POST",route="\/api\/taps",status="201"\} \d+$/m,
    );
  });
});

describe("logs", () => {
  it("writes one JSON object per line in the agreed shape", async () => {
    const navi = await start({ logLevel: "debug" });
    await navi.request("/health", { headers: { "x-request-id": "abc-123" } });
    await navi.request("/metrics");

    const lines = navi.logs();
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual([
        "context",
        "level",
        "message",
        "service",
        "timestamp",
      ]);
      expect(new Date(line.timestamp).toISOString()).toBe(line.timestamp);
      expect(line.service).toBe("navi-backend");
    }
    expect(lines[0]).toMatchObject({
      level: "INFO",
      message: "listening",
      context: { port: navi.demo.port, version: "1.0.0", environment: "test" },
    });
    const requests = lines.filter((l) => l.level === "DEBUG");
    expect(requests).toHaveLength(1);
    expect(requests[0]?.context).toMatchObject({
      requestId: "abc-123",
      endpoint: "GET /health",
      environment: "test",
    });
  });
});

describe("optionsFromArgs", () => {
  it("prefers flags, falls back to the environment, and rejects what it cannot use", () => {
    const env = {
      NAVI_NAME: "staging",
      PORT: "4002",
      NAVI_DATA_DIR: "/tmp/x",
      NAVI_VERSION: "1.1.0",
      LOG_LEVEL: "warn",
    };
    expect(
      optionsFromArgs(["--name", "production", "--port", "4001", "--traffic", "0"], env),
    ).toEqual({
      name: "production",
      port: 4001,
      host: undefined,
      dataDir: "/tmp/x",
      version: "1.1.0",
      traffic: 0,
      logLevel: "warn",
    });
    expect(() => optionsFromArgs(["--port", "eighty"], {})).toThrow(/--port/);
    expect(() => optionsFromArgs(["--colour"], {})).toThrow();
  });
});

describe("a bad release", () => {
  it("1.4.3 ships slow and throwing 500s; the chaos endpoint neither shows nor clears it; rolling back to 1.4.2 fixes it", async () => {
    const navi = await start({ version: "1.4.2" });
    expect((await navi.request("/health")).status).toBe(200);

    expect(await (await navi.post("/deploy", { version: "1.4.3" })).json()).toEqual({
      version: "1.4.3",
      previous: "1.4.2",
      environment: "test",
    });
    const startedAt = performance.now();
    const health = await navi.request("/health");
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect(health.status).toBe(500);
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async () => (await navi.request("/api/users/active")).status),
    );
    expect(statuses).toContain(500);
    expect(statuses).toContain(200);
    await waitFor(
      () =>
        navi
          .logs()
          .find(
            (l) =>
              l.message === "request failed" && l.error?.message.includes("reading 'deviceId'"),
          ),
      "the bug in the log",
    );
    // Not chaos: it reports nothing injected, and a reset changes nothing.
    expect(await (await navi.request("/chaos")).json()).toMatchObject({
      latencyMs: 0,
      errorRate: 0,
      mode: "normal",
    });
    await navi.request("/chaos", { method: "DELETE" });
    expect((await navi.request("/health")).status).toBe(500);
    expect(await (await navi.request("/version")).json()).toEqual({ version: "1.4.3" });

    await navi.post("/deploy", { version: "1.4.2" });
    const fixed = await navi.request("/health");
    expect(fixed.status).toBe(200);
    expect(await fixed.json()).toMatchObject({ status: "ok", version: "1.4.2" });
    const after = await Promise.all(
      Array.from({ length: 10 }, async () => (await navi.request("/api/users/active")).status),
    );
    expect(after.every((s) => s === 200)).toBe(true);
  });

  it("stays bad across a restart, since the version file says 1.4.3", async () => {
    const dataDir = tempDataDir();
    fs.writeFileSync(path.join(dataDir, "version"), "1.4.3\n");
    const navi = await start({ dataDir });
    expect((await navi.request("/health")).status).toBe(500);
  });
});
