import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { openDatabase, type Db } from "@/server/db";
import { jobLogs, jobs } from "@/server/db/schema";
import { acquireLease, leaseHolder } from "./lease";
import { enqueueJob } from "./queue";
import { defineJobKind } from "./registry";
import { JobRunner } from "./runner";

const runs: number[] = [];
const gates = new Map<number, () => void>();

defineJobKind({
  kind: "test.count",
  title: "count",
  params: z.object({ n: z.number() }),
  async run(ctx) {
    runs.push(ctx.params.n);
    ctx.progress(50, "half");
    ctx.log("info", `counted ${ctx.params.n}`);
    return { n: ctx.params.n };
  },
});

defineJobKind({
  kind: "test.gate",
  title: "waits for the test to open its gate",
  params: z.object({}),
  run: (ctx) =>
    new Promise((resolve, reject) => {
      gates.set(ctx.jobId, () => resolve({ opened: true }));
      ctx.signal.addEventListener("abort", () => reject(new Error("aborted")));
    }),
});

defineJobKind({
  kind: "test.fail",
  title: "fails",
  params: z.object({}),
  async run() {
    throw new Error("disk full");
  },
});

function twoConnections(): [Db, Db] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-jobs-"));
  return [openDatabase(dir), openDatabase(dir)];
}

const who = { id: null, name: "test" };
const runners: JobRunner[] = [];
function runner(db: Db, id?: string) {
  const r = new JobRunner(db, { concurrency: 2, pollMs: 20, heartbeatMs: 50, runnerId: id });
  runners.push(r);
  return r;
}

async function until(check: () => boolean, what: string, ms = 5000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const statusOf = (db: Db, id: number) => db.select().from(jobs).where(eq(jobs.id, id)).get()!;

afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop(100);
  runs.length = 0;
  gates.clear();
});

describe("job queue", () => {
  it("runs a job to success with progress, log and result", async () => {
    const [db] = twoConnections();
    const { job } = enqueueJob(db, { kind: "test.count", params: { n: 7 }, requestedBy: who });
    runner(db).start();
    await until(() => statusOf(db, job.id).status === "succeeded", "success");
    const done = statusOf(db, job.id);
    expect(done).toMatchObject({ progress: 100, result: { n: 7 }, error: null });
    const lines = db
      .select()
      .from(jobLogs)
      .where(eq(jobLogs.jobId, job.id))
      .all()
      .map((l) => l.message);
    expect(lines).toEqual(["Started by test.", "counted 7", "Succeeded."]);
  });

  it("records a failure with its reason", async () => {
    const [db] = twoConnections();
    const { job } = enqueueJob(db, { kind: "test.fail", params: {}, requestedBy: who });
    runner(db).start();
    await until(() => statusOf(db, job.id).status === "failed", "failure");
    expect(statusOf(db, job.id).error).toBe("disk full");
  });

  it("returns the same job for the same idempotency key", () => {
    const [db] = twoConnections();
    const a = enqueueJob(db, {
      kind: "test.count",
      params: { n: 1 },
      requestedBy: who,
      idempotencyKey: "k1",
    });
    const b = enqueueJob(db, {
      kind: "test.count",
      params: { n: 1 },
      requestedBy: who,
      idempotencyKey: "k1",
    });
    expect(b).toMatchObject({ created: false, reason: "idempotent", job: { id: a.job.id } });
  });

  it("rejects unknown kinds and bad params before storing anything", () => {
    const [db] = twoConnections();
    expect(() => enqueueJob(db, { kind: "nope", params: {}, requestedBy: who })).toThrow(
      /unknown job kind/,
    );
    expect(() =>
      enqueueJob(db, { kind: "test.count", params: { n: "x" }, requestedBy: who }),
    ).toThrow();
    expect(db.select().from(jobs).all()).toHaveLength(0);
  });

  it("two runners racing for one lock key: exactly one job runs", async () => {
    const [dbA, dbB] = twoConnections();
    // Both processes ask at once; the second sees the first's active job.
    const results = [dbA, dbB, dbA, dbB].map((db, i) =>
      enqueueJob(db, {
        kind: "test.gate",
        params: {},
        requestedBy: who,
        lockKey: "backup:navi",
        idempotencyKey: `click-${i}`,
      }),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    const id = results[0]!.job.id;
    const a = runner(dbA, "host-a:1:a");
    const b = runner(dbB, "host-b:2:b");
    a.start();
    b.start();
    await until(() => gates.has(id), "the job to start");
    // Each runner looks for work again while the job runs: neither starts a second copy.
    await a.poll();
    await b.poll();
    expect(gates.size).toBe(1);
    expect(a.activeCount + b.activeCount).toBe(1);
    // While it runs, the lock still holds.
    expect(
      enqueueJob(dbB, { kind: "test.gate", params: {}, requestedBy: who, lockKey: "backup:navi" }),
    ).toMatchObject({
      created: false,
      reason: "locked",
    });
    gates.get(id)!();
    await until(() => statusOf(dbA, id).status === "succeeded", "success");
    // Once it finished, the lock key is free again.
    expect(
      enqueueJob(dbB, {
        kind: "test.count",
        params: { n: 2 },
        requestedBy: who,
        lockKey: "backup:navi",
      }).created,
    ).toBe(true);
  });

  it("many runners claiming many jobs never run one twice", async () => {
    const [dbA, dbB] = twoConnections();
    for (let n = 0; n < 60; n++)
      enqueueJob(dbA, { kind: "test.count", params: { n }, requestedBy: who });
    for (const [i, db] of [dbA, dbB, dbA, dbB].entries()) runner(db, `host-${i}:${i}:x`).start();
    await until(
      () => dbA.select().from(jobs).where(eq(jobs.status, "succeeded")).all().length === 60,
      "all jobs",
    );
    expect([...runs].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, n) => n));
  });

  it("marks a dead process's running job interrupted at start", () => {
    const [db] = twoConnections();
    const { job } = enqueueJob(db, { kind: "test.count", params: { n: 1 }, requestedBy: who });
    // A previous process on this host (pid 2^22+1 does not exist) claimed it and died.
    db.update(jobs)
      .set({ status: "running", runner: `${os.hostname()}:4194305:old`, heartbeatAt: new Date() })
      .where(eq(jobs.id, job.id))
      .run();
    const r = runner(db);
    expect(r.recoverOrphans()).toBe(1);
    expect(statusOf(db, job.id)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^interrupted/),
    });
  });

  it("leaves a live neighbour's job alone until its heartbeat goes stale", () => {
    const [db] = twoConnections();
    const { job } = enqueueJob(db, { kind: "test.count", params: { n: 1 }, requestedBy: who });
    db.update(jobs)
      .set({ status: "running", runner: "other-host:1:x", heartbeatAt: new Date() })
      .where(eq(jobs.id, job.id))
      .run();
    const r = runner(db);
    expect(r.recoverOrphans()).toBe(0);
    expect(r.recoverOrphans(Date.now() + 60_000)).toBe(1);
  });

  it("graceful stop lets a running job finish, then interrupts one that overruns", async () => {
    const [db] = twoConnections();
    const quick = enqueueJob(db, { kind: "test.gate", params: {}, requestedBy: who }).job;
    const slow = enqueueJob(db, { kind: "test.gate", params: {}, requestedBy: who }).job;
    const r = runner(db);
    r.start();
    await until(() => gates.size === 2, "both jobs running");
    const stopping = r.stop(300);
    // Stopped runners take no new work.
    const later = enqueueJob(db, { kind: "test.count", params: { n: 9 }, requestedBy: who }).job;
    gates.get(quick.id)!();
    expect(await stopping).toEqual({ finished: 1, interrupted: 1 });
    expect(statusOf(db, quick.id).status).toBe("succeeded");
    expect(statusOf(db, slow.id)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^interrupted/),
    });
    expect(statusOf(db, later.id).status).toBe("queued");
  });
});

describe("lease", () => {
  it("one holder at a time; taken over only after expiry", () => {
    const [dbA, dbB] = twoConnections();
    const t = 1_000_000;
    expect(acquireLease(dbA, "scheduler", "a", 30_000, t)).toBe(true);
    expect(acquireLease(dbB, "scheduler", "b", 30_000, t + 1000)).toBe(false);
    expect(acquireLease(dbA, "scheduler", "a", 30_000, t + 10_000)).toBe(true); // renew
    expect(acquireLease(dbB, "scheduler", "b", 30_000, t + 39_000)).toBe(false);
    expect(acquireLease(dbB, "scheduler", "b", 30_000, t + 40_000)).toBe(true); // expired
    expect(leaseHolder(dbA, "scheduler", t + 40_001)?.holder).toBe("b");
    expect(acquireLease(dbA, "scheduler", "a", 30_000, t + 41_000)).toBe(false);
  });
});

describe("lock key index", () => {
  it("the database itself refuses a second active job with the same lock key", () => {
    const [db] = twoConnections();
    enqueueJob(db, { kind: "test.count", params: { n: 1 }, requestedBy: who, lockKey: "L" });
    expect(() =>
      db
        .insert(jobs)
        .values({ kind: "test.count", params: { n: 2 }, requestedByName: "x", lockKey: "L" })
        .run(),
    ).toThrow(/UNIQUE constraint failed/);
    // Finished jobs do not hold the key.
    db.update(jobs).set({ status: "succeeded" }).run();
    expect(() =>
      db
        .insert(jobs)
        .values({ kind: "test.count", params: { n: 3 }, requestedByName: "x", lockKey: "L" })
        .run(),
    ).not.toThrow();
  });
});
