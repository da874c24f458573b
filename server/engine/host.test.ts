import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readEnvVar } from "@/env";
import { bundleEngine } from "@/scripts/engine-bundle.mjs";
import { crashThread, openGate } from "@/test/engine-thread";
import { makeUser } from "@/test/callers";
import { installConfig } from "@/server/config";
import { loadConfigFile } from "@/server/config/load";
import { openDatabase, type Db } from "@/server/db";
import { jobs, leases } from "@/server/db/schema";
import { enqueueJob } from "@/server/jobs/queue";
import { selfHealth } from "@/server/queries/health";
import { setRuntimeForTests } from "@/server/runtime";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import { reloadConfig } from "@/server/services/config/reload";
import { EngineHost } from "./host";

// The engine thread reads the same environment (SHARE_ENV): its data directory and
// config are this test's. Set before env.ts is first imported, in this thread too.
const paths = await vi.hoisted(async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-engine-"));
  process.env.OPSDECK_DATA_DIR = path.join(dir, "data");
  process.env.OPSDECK_CONFIG = path.join(dir, "opsdeck.yaml");
  return { dir, data: path.join(dir, "data"), config: path.join(dir, "opsdeck.yaml") };
});

vi.setConfig({ testTimeout: 60_000 });

// The threads run a bundle, as in production: of test/engine-thread.ts, which wraps main.ts.
// Inside the project, so that its packages resolve from node_modules.
const ENTRY = path.join(
  process.cwd(),
  "node_modules",
  ".cache",
  "opsdeck",
  `test-engine-thread-${process.pid}.mjs`,
);
beforeAll(
  () => bundleEngine({ entry: "test/engine-thread.ts", outfile: ENTRY, sourcemap: "inline" }),
  120_000,
);
afterAll(() => fs.rmSync(ENTRY, { force: true }));
const WAIT = { timeout: 30_000, interval: 50 };

const CONFIG = `
environments:
  - { id: production, name: Production }
services:
  - id: backend
    name: Backend
    environments:
      production: { url: "http://127.0.0.1:1" }
# No job of its own at start: the tests count the jobs running.
selfBackup: { enabled: false }
`;

let db: Db;
let host: EngineHost | undefined;

function start(options: Partial<Parameters<typeof EngineHost.start>[0]> = {}) {
  installConfig(loadConfigFile(paths.config, readEnvVar));
  return EngineHost.start({
    db,
    config: () => loadConfigFile(paths.config, readEnvVar),
    entry: ENTRY,
    // Only a wake-up from enqueueJob can make the runner look before an hour is up.
    options: { runner: { pollMs: 3_600_000, heartbeatMs: 200 } },
    restartDelayMs: () => 100,
    ...options,
  });
}

const lease = () => db.select().from(leases).where(eq(leases.name, SCHEDULER_LEASE)).get();
/** Released leases keep their row (and epoch, for fencing) with an expiry in the past. */
const leaseHeld = () => (lease()?.expiresAt.getTime() ?? 0) > Date.now();
const job = (id: number) => db.select().from(jobs).where(eq(jobs.id, id)).get()!;
const enqueue = (kind: string) =>
  enqueueJob(db, { kind, params: {}, requestedBy: { id: null, name: "test" } }).job.id;
const health = () => selfHealth(db, host && { engine: host });

beforeEach(() => {
  fs.rmSync(paths.data, { recursive: true, force: true });
  fs.writeFileSync(paths.config, CONFIG);
  db = openDatabase(paths.data);
});

afterEach(async () => {
  await host?.shutdown(1000);
  host = undefined;
  setRuntimeForTests(undefined);
  db.$client.close();
});

describe("the engine threads", () => {
  it("start, take the scheduler lease, report their status and serve their metrics; a queued job runs at once", async () => {
    host = await start();
    expect(host.status().engine.state).toBe("running");
    expect(host.status().jobs.state).toBe("running");
    await expect.poll(() => host!.status().engine.snapshot?.leader, WAIT).toBe(true);
    expect(lease()?.holder).toBe(host.status().engine.snapshot!.holder);
    expect(health()).toMatchObject({
      status: "ok",
      checks: {
        engine: { status: "ok" },
        runner: { status: "ok" },
        scheduler: { status: "ok", role: "leader" },
      },
    });
    const metrics = await host.metrics();
    expect(metrics).toMatch(/^opsdeck_scheduler_leader 1$/m);
    expect(metrics).toMatch(/^opsdeck_jobs_running_here 0$/m);
    expect(metrics).toContain("opsdeck_monitor_check_lateness_seconds_bucket");
    expect(metrics).toContain("opsdeck_alert_evaluation_seconds");

    // The runner polls once an hour here: only enqueueJob's wake-up can start this job.
    const id = enqueue("audit.verify");
    await expect.poll(() => job(id).status, WAIT).toBe("succeeded");
    expect(job(id).runner).toBe(host.status().jobs.snapshot!.holder);
  });

  it("stop gracefully: the lease is released, a running job finishes, both threads exit", async () => {
    host = await start();
    await expect.poll(() => host!.status().engine.snapshot?.leader, WAIT).toBe(true);
    const id = enqueue("test.gate");
    await expect.poll(() => job(id).status, WAIT).toBe("running");

    const stopped = host.shutdown(30_000);
    expect(host.status().jobs.state).toBe("stopping");
    // Checks and scheduling stop at once; the job is given its time.
    await expect.poll(leaseHeld, WAIT).toBe(false);
    await expect.poll(() => host!.status().engine.state, WAIT).toBe("stopped");
    expect(job(id).status).toBe("running");
    openGate(id);
    await stopped;

    expect(job(id)).toMatchObject({ status: "succeeded", result: { opened: true } });
    expect(host.status().jobs.state).toBe("stopped");
  });

  it("mark a job that outlives the grace period interrupted", async () => {
    host = await start();
    const id = enqueue("test.gate");
    await expect.poll(() => job(id).status, WAIT).toBe("running");
    await host.shutdown(100);
    expect(job(id)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^interrupted/),
    });
  });

  it("a dead jobs thread is reported down, started again, and its running job marked interrupted", async () => {
    host = await start({ restartDelayMs: () => 1_000 });
    const id = enqueue("test.gate");
    await expect.poll(() => job(id).status, WAIT).toBe("running");

    crashThread("jobs");
    await expect.poll(() => health().checks.runner?.status, WAIT).toBe("down");
    expect(health().status).toBe("down");
    expect(health().checks.runner?.message).toBe("the jobs thread is restarting");
    // Checks and alerts go on meanwhile.
    expect(health().checks.engine).toEqual({ status: "ok" });

    await expect.poll(() => health().checks.runner, WAIT).toEqual({ status: "ok", restarts: 1 });
    expect(job(id)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^interrupted/),
    });
  });

  it("a dead engine thread is reported down and started again, and its successor takes the lease at once", async () => {
    host = await start({ restartDelayMs: () => 1_000 });
    await expect.poll(() => host!.status().engine.snapshot?.leader, WAIT).toBe(true);
    const first = host.status().engine.snapshot!.holder;

    crashThread("engine");
    await expect.poll(() => health().checks.engine?.status, WAIT).toBe("down");
    expect(health().checks.engine?.message).toBe("the engine thread is restarting");
    expect(health().checks.runner).toEqual({ status: "ok" });

    await expect.poll(() => health().checks.engine, WAIT).toEqual({ status: "ok", restarts: 1 });
    await expect.poll(() => host!.status().engine.snapshot?.leader, WAIT).toBe(true);
    expect(host.status().engine.snapshot!.holder).not.toBe(first);
    expect(lease()?.holder).toBe(host.status().engine.snapshot!.holder);
    expect(await host.metrics()).toMatch(/^opsdeck_scheduler_leader 1$/m);
  });

  it("fail to start with the thread's own reason, and nothing is left running", async () => {
    // What the threads are handed does not parse there (the HTTP thread's copy did).
    const loaded = {
      ...loadConfigFile(paths.config, readEnvVar),
      source: `${CONFIG}surprise: 1\n`,
    };
    await expect(EngineHost.start({ db, config: () => loaded, entry: ENTRY })).rejects.toThrow(
      /unknown key "surprise"/,
    );
    expect(db.select().from(leases).all()).toEqual([]);
  });
});

describe("config reload with the engine threads", () => {
  const servers: http.Server[] = [];
  const listen = async () => {
    const hits = { n: 0 };
    const server = http.createServer((_req, res) => {
      hits.n++;
      res.end("ok");
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return { hits, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` };
  };
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    vi.restoreAllMocks();
  });

  it("a monitor URL changed in .env is checked at the new address after a reload", async () => {
    const [before, after] = [await listen(), await listen()];
    fs.writeFileSync(path.join(paths.dir, ".env"), `PROBE_URL=${before.url}\n`);
    loadEnvConfig(paths.dir, false, { info: () => undefined, error: () => undefined }, true);
    fs.writeFileSync(
      paths.config,
      `${CONFIG}monitors:
  - { id: probe, service: backend, environment: production, type: http, url: "\${PROBE_URL}", interval: 10s }
`,
    );
    host = await start();
    setRuntimeForTests({
      startedAt: new Date(),
      engine: host,
      shutdown: async () => {},
      close() {},
    });
    await expect.poll(() => before.hits.n, WAIT).toBeGreaterThan(0);

    fs.writeFileSync(path.join(paths.dir, ".env"), `PROBE_URL=${after.url}\n`);
    const user = await makeUser(db, "admin");
    vi.spyOn(process, "cwd").mockReturnValue(paths.dir);
    await reloadConfig(
      { actor: { kind: "user", id: user.id, email: user.email, role: "admin" }, db },
      {},
    );
    vi.restoreAllMocks();

    await expect.poll(() => after.hits.n, WAIT).toBeGreaterThan(0);
  });
});
