import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { until } from "@/test/until";
import { openDatabase, type Db } from "@/server/db";
import { jobLogs, jobs } from "@/server/db/schema";
import { holdsLease, takeLease, releaseLease } from "./lease";
import { enqueueJob } from "./queue";
import { defineJobKind, type JobContext } from "./registry";
import { JobRunner } from "./runner";
import { Scheduler } from "@/server/scheduler";

// A job the test drives by hand: it writes when told, and ends when told.
const puppets = new Map<number, { ctx: JobContext<unknown>; finish: () => void }>();
defineJobKind({
  kind: "test.puppet",
  title: "does what the test says",
  params: z.object({}),
  run: (ctx) =>
    new Promise((resolve, reject) => {
      puppets.set(ctx.jobId, { ctx, finish: () => resolve({ done: true }) });
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
    }),
});

function twoConnections(): [Db, Db] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-fencing-"));
  return [openDatabase(dir), openDatabase(dir)];
}

const runners: JobRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop(100);
  puppets.clear();
});

const who = { id: null, name: "test" };
const row = (db: Db, id: number) => db.select().from(jobs).where(eq(jobs.id, id)).get()!;
const lines = (db: Db, id: number) =>
  db
    .select()
    .from(jobLogs)
    .where(eq(jobLogs.jobId, id))
    .all()
    .map((l) => l.message);

describe("a job has one owner", () => {
  it("a job reaped as stale has its late writes refused and is aborted; a second copy can run", async () => {
    const [dbA, dbB] = twoConnections();
    // Runner A's event loop "stalls": it writes no heartbeat for the length of the test.
    const a = new JobRunner(dbA, {
      concurrency: 1,
      pollMs: 20,
      heartbeatMs: 600_000,
      runnerId: "host-a:1:a",
    });
    runners.push(a);
    const { job } = enqueueJob(dbA, {
      kind: "test.puppet",
      params: {},
      requestedBy: who,
      lockKey: "backup:navi",
    });
    a.start();
    await until(() => puppets.has(job.id), "the job to start");
    const first = puppets.get(job.id)!;
    first.ctx.progress(30, "copying");
    expect(row(dbA, job.id)).toMatchObject({ status: "running", progress: 30 });

    // Another process's reaper finds A's heartbeat stale and marks the job interrupted.
    const b = new JobRunner(dbB, { concurrency: 1, pollMs: 20, runnerId: "host-b:2:b" });
    runners.push(b);
    expect(b.recoverOrphans(Date.now() + 60_000)).toBe(1);

    // A wakes up and carries on writing: nothing it writes lands, and its job is aborted.
    first.ctx.progress(90, "late progress");
    first.ctx.log("info", "a late line from the first copy");
    expect(first.ctx.signal.aborted).toBe(true);
    first.finish();
    await until(() => a.activeCount === 0, "A to let go of the job");
    expect(row(dbB, job.id)).toMatchObject({
      status: "failed",
      progress: 30,
      error: expect.stringMatching(/^interrupted/),
    });
    expect(lines(dbB, job.id)).not.toContain("a late line from the first copy");
    expect(lines(dbB, job.id).filter((l) => /^(Succeeded|Failed)/.test(l))).toEqual([]);

    // The lock is free again: a second copy starts and owns its own job.
    const again = enqueueJob(dbB, {
      kind: "test.puppet",
      params: {},
      requestedBy: who,
      lockKey: "backup:navi",
    });
    expect(again.created).toBe(true);
  });

  it("a runner notices on its own that a job is no longer its, without writing", async () => {
    const [dbA, dbB] = twoConnections();
    const a = new JobRunner(dbA, {
      concurrency: 1,
      pollMs: 20,
      heartbeatMs: 600_000,
      runnerId: "host-a:1:a",
    });
    runners.push(a);
    const { job } = enqueueJob(dbA, { kind: "test.puppet", params: {}, requestedBy: who });
    a.start();
    await until(() => puppets.has(job.id), "the job to start");
    const reaper = new JobRunner(dbB, { concurrency: 1, runnerId: "host-b:2:b" });
    expect(reaper.recoverOrphans(Date.now() + 60_000)).toBe(1);
    await until(() => puppets.get(job.id)!.ctx.signal.aborted, "A to abort the job");
    await until(() => a.activeCount === 0, "A to let go of the job");
    expect(row(dbB, job.id).status).toBe("failed");
  });
});

describe("lease fencing tokens", () => {
  it("the epoch goes up with each new tenure, not with renewals; an old token is refused", () => {
    const [dbA, dbB] = twoConnections();
    const t = 1_000_000;
    const a1 = takeLease(dbA, "scheduler", "a", 30_000, t)!;
    expect(a1).toEqual({ holder: "a", epoch: 1 });
    expect(takeLease(dbA, "scheduler", "a", 30_000, t + 10_000)).toEqual(a1); // renewal
    expect(takeLease(dbB, "scheduler", "b", 30_000, t + 20_000)).toBeNull();
    const b = takeLease(dbB, "scheduler", "b", 30_000, t + 41_000)!; // A's lease expired
    expect(b).toEqual({ holder: "b", epoch: 2 });
    expect(holdsLease(dbA, "scheduler", a1, t + 41_000)).toBe(false);
    expect(holdsLease(dbB, "scheduler", b, t + 41_000)).toBe(true);
    // A release ends the tenure: whoever takes it next (even b) has a new token.
    releaseLease(dbB, "scheduler", "b");
    expect(holdsLease(dbB, "scheduler", b, t + 42_000)).toBe(false);
    expect(takeLease(dbB, "scheduler", "b", 30_000, t + 42_000)).toEqual({ holder: "b", epoch: 3 });
  });

  it("a scheduler whose lease was taken over between its tick and its write queues nothing", () => {
    const [dbA, dbB] = twoConnections();
    const t = Date.parse("2026-11-27T01:59:30Z");
    const schedule = {
      name: "backup:navi",
      cron: "0 2 * * *",
      kind: "test.puppet",
      params: {},
      runWhenNew: true,
    };
    const a = new Scheduler(dbA, "a", { leaseTtlMs: 30_000 });
    a.setSchedules([]);
    a.tick(t); // A holds the lease (epoch 1)…
    // …then stalls; its lease runs out and B takes over.
    const b = new Scheduler(dbB, "b", { leaseTtlMs: 30_000 });
    b.setSchedules([]);
    b.tick(t + 31_000);
    expect(b.isLeader).toBe(true);
    // A resumes in the middle of its old tick and tries to queue a due slot.
    const runDue = (
      a as unknown as { runDue(def: object, cron: unknown, now: number): boolean }
    ).runDue.bind(a);
    a.setSchedules([schedule]);
    const cron = (a as unknown as { schedules: { cron: unknown }[] }).schedules[0]!.cron;
    expect(runDue(schedule, cron, t + 31_000)).toBe(false);
    expect(dbB.select().from(jobs).all()).toEqual([]);
  });
});
