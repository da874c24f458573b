import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { until } from "@/test/until";
import { getConfig, setConfigForTests } from "@/server/config";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { auditLog, backups, jobLogs, jobs } from "@/server/db/schema";
import { enqueueJob } from "@/server/jobs/queue";
import { defineJobKind } from "@/server/jobs/registry";
import { JobRunner } from "@/server/jobs/runner";
import { ServiceError, type Actor } from "@/server/services/service";
import { cancelJob } from "./cancel-job";
import "@/server/jobs/kinds";

// Waits for its gate, checking for a cancel at each step (its safe points).
const reached = new Map<number, number>();
const gates = new Map<number, () => void>();
defineJobKind({
  kind: "test.steps",
  title: "Steps",
  params: z.object({}),
  async run(ctx) {
    for (let step = 1; ; step++) {
      ctx.signal.throwIfAborted();
      reached.set(ctx.jobId, step);
      const open = await new Promise<boolean>((resolve) => {
        gates.set(ctx.jobId, () => resolve(true));
        setTimeout(() => resolve(false), 20);
      });
      if (open) return { steps: step };
    }
  },
});

let db: Db;
let operator: Actor;
let viewer: Actor;
const runners: JobRunner[] = [];
const original = getConfig().config;

beforeEach(async () => {
  db = freshDb();
  const op = await makeUser(db, "operator");
  const vi = await makeUser(db, "viewer");
  operator = { kind: "user", id: op.id, email: op.email, role: op.role };
  viewer = { kind: "user", id: vi.id, email: vi.email, role: vi.role };
});
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop(200);
  reached.clear();
  gates.clear();
  setConfigForTests(original);
});

function startRunner() {
  const r = new JobRunner(db, { concurrency: 2, pollMs: 20, heartbeatMs: 50 });
  runners.push(r);
  r.start();
  return r;
}

const row = (id: number) => db.select().from(jobs).where(eq(jobs.id, id)).get()!;
const who = { id: null, name: "schedule:test" };
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) =>
      err instanceof ServiceError ? { status: err.status, message: err.message } : err,
  );

describe("job cancel", () => {
  it("a queued job is canceled at once and never runs; the cancel is audited", async () => {
    const { job } = enqueueJob(db, {
      kind: "test.steps",
      params: {},
      requestedBy: who,
      lockKey: "steps",
    });
    expect(await cancelJob({ actor: operator, db }, { jobId: job.id })).toMatchObject({
      jobId: job.id,
      status: "canceled",
    });
    expect(row(job.id)).toMatchObject({
      status: "canceled",
      error: "Canceled by operator@example.com.",
    });
    startRunner();
    // The lock is free: the next one runs (and the canceled one never did).
    const next = enqueueJob(db, {
      kind: "test.steps",
      params: {},
      requestedBy: who,
      lockKey: "steps",
    });
    expect(next.created).toBe(true);
    await until(() => reached.has(next.job.id), "the next job to run");
    expect(reached.has(job.id)).toBe(false);
    const audit = db.select().from(auditLog).where(eq(auditLog.action, "jobs.cancel")).all();
    expect(audit).toEqual([
      expect.objectContaining({
        actorName: "operator@example.com",
        targetType: "job",
        targetId: String(job.id),
        outcome: "success",
      }),
    ]);
  });

  it("a running job stops at its next safe point and is recorded as canceled", async () => {
    startRunner();
    const { job } = enqueueJob(db, { kind: "test.steps", params: {}, requestedBy: who });
    await until(() => (reached.get(job.id) ?? 0) >= 2, "the job to be under way");
    expect(await cancelJob({ actor: operator, db }, { jobId: job.id })).toMatchObject({
      status: "canceling",
    });
    expect(row(job.id)).toMatchObject({
      status: "running",
      cancelRequestedBy: "operator@example.com",
    });
    await until(() => row(job.id).status !== "running", "the job to stop");
    expect(row(job.id)).toMatchObject({
      status: "canceled",
      error: "Canceled by operator@example.com.",
      finishedAt: expect.any(Date),
    });
    const lines = db.select().from(jobLogs).where(eq(jobLogs.jobId, job.id)).all();
    expect(lines.at(-1)?.message).toBe(
      "Canceled by operator@example.com; stopped at a safe point.",
    );
  });

  it("a finished job cannot be canceled (409), nor can a viewer cancel (403); nothing changes", async () => {
    const { job } = enqueueJob(db, { kind: "test.steps", params: {}, requestedBy: who });
    db.update(jobs)
      .set({ status: "succeeded", finishedAt: new Date() })
      .where(eq(jobs.id, job.id))
      .run();
    expect(await refusal(cancelJob({ actor: operator, db }, { jobId: job.id }))).toMatchObject({
      status: 409,
      message: expect.stringMatching(/already finished \(succeeded/),
    });
    expect(await refusal(cancelJob({ actor: operator, db }, { jobId: 999_999 }))).toMatchObject({
      status: 404,
    });
    const queued = enqueueJob(db, { kind: "test.steps", params: {}, requestedBy: who }).job;
    expect(await refusal(cancelJob({ actor: viewer, db }, { jobId: queued.id }))).toMatchObject({
      status: 403,
    });
    expect(row(queued.id).status).toBe("queued");
    expect(row(job.id).status).toBe("succeeded");
    expect(
      db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, "jobs.cancel"))
        .all()
        .map((r) => r.outcome),
    ).toEqual(["denied"]);
  });

  it("canceling a backup whose command is running kills the command", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-cancel-"));
    const pidFile = path.join(dir, "pid");
    const slow: BackupJobConfig = {
      id: "slow-dump",
      service: original.backups[0]!.service,
      environment: original.backups[0]!.environment,
      source: {
        type: "command",
        // The shell is replaced by sleep: the pid written is the process to be killed.
        command: ["sh", "-c", `echo $$ > '${pidFile}'; echo partial; exec sleep 600`],
        timeout: 3_600_000,
        extension: ".sql",
      },
      destination: { type: "local", path: path.join(dir, "backups") },
      schedule: "0 2 * * *",
      grace: 3_600_000,
      retention: { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
      hooks: {},
    };
    setConfigForTests({ ...original, backups: [...original.backups, slow] });
    startRunner();
    const { job } = enqueueJob(db, {
      kind: "backup.run",
      params: { backup: "slow-dump", kind: "manual" },
      requestedBy: who,
    });
    await until(
      () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim() !== "",
      "the dump to start",
    );
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    await cancelJob({ actor: operator, db }, { jobId: job.id });
    await until(() => row(job.id).status !== "running", "the backup to stop");
    expect(row(job.id).status).toBe("canceled");
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => !alive(), "the command to be killed");
    expect(db.select().from(backups).where(eq(backups.jobId, "slow-dump")).get()).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^canceled by operator@example\.com/),
    });
    expect(fs.readdirSync(path.join(dir, "backups")).filter((f) => f.endsWith(".gz"))).toEqual([]);
  });
});
