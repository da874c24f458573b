import { describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { EngineSnapshot } from "@/server/engine/engine";
import type { EngineStatus } from "@/server/engine/host";
import { acquireLease } from "@/server/jobs/lease";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import { selfHealth } from "./health";

const NOW = Date.now();

function engine(status: Partial<EngineStatus>, snapshot: Partial<EngineSnapshot> = {}) {
  const full: EngineStatus = {
    state: "running",
    startedAt: new Date(NOW - 60_000),
    restarts: 0,
    lastExitAt: undefined,
    snapshot: {
      at: NOW - 500,
      holder: "host:1:abcd",
      leader: true,
      runningJobs: 0,
      runnerBeatAt: NOW - 2_000,
      runnerHeartbeatMs: 5_000,
      monitors: 3,
      ...snapshot,
    },
    ...status,
  };
  return { engine: { status: () => full } };
}

function health(runtime: ReturnType<typeof engine> | undefined) {
  const db = freshDb();
  acquireLease(db, SCHEDULER_LEASE, "host:1:abcd", 30_000, NOW);
  return selfHealth(db, runtime, NOW);
}

describe("Opsdeck's own health: the runner check", () => {
  it("is ok while the engine thread reports and its runner heartbeats", () => {
    expect(health(engine({}))).toMatchObject({
      status: "ok",
      checks: { runner: { status: "ok" }, scheduler: { status: "ok", role: "leader" } },
    });
  });

  it("is down while the engine thread is dead and restarting", () => {
    expect(health(engine({ state: "restarting", restarts: 2, snapshot: undefined }))).toMatchObject(
      {
        status: "down",
        checks: {
          runner: { status: "down", restarts: 2, message: "the engine thread is restarting" },
        },
      },
    );
  });

  it("is down before the engine thread started", () => {
    expect(health(undefined)).toMatchObject({
      status: "down",
      checks: { runner: { status: "down", message: "the engine thread has not started" } },
    });
  });

  it("is down when the engine thread stops answering (a blocked event loop)", () => {
    expect(health(engine({}, { at: NOW - 15_000 })).checks.runner).toEqual({
      status: "down",
      message: "the engine thread has not answered for 15 s",
    });
  });

  it("is down when the job runner no longer heartbeats", () => {
    expect(health(engine({}, { runnerBeatAt: NOW - 20_000 })).checks.runner).toEqual({
      status: "down",
      message: "the job runner last heartbeated 20 s ago",
    });
  });
});
