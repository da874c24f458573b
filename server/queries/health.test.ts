import { describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { EngineStatus, ThreadStatus } from "@/server/engine/host";
import type { EngineSnapshot, JobsSnapshot } from "@/server/engine/protocol";
import { acquireLease } from "@/server/jobs/lease";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import { selfHealth } from "./health";

const NOW = Date.now();

function thread<S>(snapshot: S, status: Partial<ThreadStatus> = {}) {
  return {
    state: "running",
    startedAt: new Date(NOW - 60_000),
    restarts: 0,
    lastExitAt: undefined,
    snapshot,
    ...status,
  } as ThreadStatus & { snapshot: S };
}

function engine(
  change: {
    engine?: Partial<ThreadStatus>;
    jobs?: Partial<ThreadStatus>;
    metrics?: Partial<ThreadStatus>;
    engineSnapshot?: Partial<EngineSnapshot>;
    jobsSnapshot?: Partial<JobsSnapshot>;
  } = {},
) {
  const status = {
    engine: thread(
      {
        role: "engine",
        at: NOW - 500,
        holder: "h:1:a",
        leader: true,
        monitors: 3,
        ...change.engineSnapshot,
      },
      change.engine,
    ),
    jobs: thread(
      {
        role: "jobs",
        at: NOW - 500,
        holder: "h:1:b",
        runningJobs: 0,
        runnerBeatAt: NOW - 2_000,
        runnerHeartbeatMs: 5_000,
        ...change.jobsSnapshot,
      },
      change.jobs,
    ),
    metrics: thread(
      {
        role: "metrics",
        at: NOW - 500,
        holder: "h:1:c",
        leader: true,
        targets: 2,
        series: 100,
        samples: 1000,
      },
      change.metrics,
    ),
  } as EngineStatus;
  return { engine: { status: () => status } };
}

function health(runtime: ReturnType<typeof engine> | undefined) {
  const db = freshDb();
  acquireLease(db, SCHEDULER_LEASE, "h:1:a", 30_000, NOW);
  return selfHealth(db, runtime, NOW);
}

describe("Opsdeck's own health: the engine threads", () => {
  it("is ok while both threads report and the job runner heartbeats", () => {
    expect(health(engine())).toMatchObject({
      status: "ok",
      checks: {
        engine: { status: "ok" },
        runner: { status: "ok" },
        scheduler: { status: "ok", role: "leader" },
      },
    });
  });

  it("is down while the jobs thread is dead and restarting", () => {
    const report = health(
      engine({ jobs: { state: "restarting", restarts: 2, snapshot: undefined } }),
    );
    expect(report.status).toBe("down");
    expect(report.checks.runner).toEqual({
      status: "down",
      restarts: 2,
      message: "the jobs thread is restarting",
    });
  });

  it("is down while the engine thread (checks, alerts) is dead", () => {
    const report = health(
      engine({ engine: { state: "restarting", restarts: 1, snapshot: undefined } }),
    );
    expect(report.status).toBe("down");
    expect(report.checks.engine).toEqual({
      status: "down",
      restarts: 1,
      message: "the engine thread is restarting",
    });
  });

  it("is degraded, not down, while the metrics thread is dead: checks and alerts go on", () => {
    const report = health(
      engine({ metrics: { state: "restarting", restarts: 1, snapshot: undefined } }),
    );
    expect(report.status).toBe("degraded");
    expect(report.checks.metrics).toEqual({
      status: "degraded",
      restarts: 1,
      message: "the metrics thread is restarting",
    });
    expect(report.checks.engine).toEqual({ status: "ok" });
  });

  it("is down before the engine threads started", () => {
    expect(health(undefined)).toMatchObject({
      status: "down",
      checks: {
        engine: { status: "down", message: "the engine thread has not started" },
        runner: { status: "down", message: "the jobs thread has not started" },
      },
    });
  });

  it("is down when a thread stops answering (a blocked event loop)", () => {
    expect(health(engine({ engineSnapshot: { at: NOW - 15_000 } })).checks.engine).toEqual({
      status: "down",
      message: "the engine thread has not answered for 15 s",
    });
  });

  it("is down when the job runner no longer heartbeats", () => {
    expect(health(engine({ jobsSnapshot: { runnerBeatAt: NOW - 20_000 } })).checks.runner).toEqual({
      status: "down",
      message: "the job runner has not heartbeated for 20 s",
    });
  });
});
