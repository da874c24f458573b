import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { leaseHolder } from "@/server/jobs/lease";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import type { EngineStatus } from "@/server/engine/host";
import type { Runtime } from "@/server/runtime";
import { staleQueuedCount } from "./jobs";

export type CheckStatus = "ok" | "degraded" | "down";
export type HealthReport = {
  status: CheckStatus;
  checks: Record<string, { status: CheckStatus; [detail: string]: unknown }>;
};

const worst = (a: CheckStatus, b: CheckStatus): CheckStatus =>
  a === "down" || b === "down" ? "down" : a === "degraded" || b === "degraded" ? "degraded" : "ok";

/** The engine thread reports every second; a report older than this means it is stuck. */
const ENGINE_SILENT_MS = 10_000;
/** Heartbeats the job runner may miss before it counts as stopped. */
const MISSED_BEATS = 3;

/** Whether the engine thread runs and reports. */
export function engineUp(engine: EngineStatus | undefined, now = Date.now()): boolean {
  return (
    engine?.state === "running" && !!engine.snapshot && now - engine.snapshot.at < ENGINE_SILENT_MS
  );
}

/** The engine thread is alive and answering, and its job runner heartbeats. */
function runnerCheck(
  engine: EngineStatus | undefined,
  now: number,
): HealthReport["checks"][string] {
  const restarts = engine?.restarts ? { restarts: engine.restarts } : {};
  if (!engine) return { status: "down", message: "the engine thread has not started" };
  if (engine.state !== "running")
    return { status: "down", ...restarts, message: `the engine thread is ${engine.state}` };
  const snapshot = engine.snapshot;
  if (!engineUp(engine, now) || !snapshot) {
    const silent = Math.round((now - (snapshot?.at ?? 0)) / 1000);
    return {
      status: "down",
      ...restarts,
      message: `the engine thread has not answered for ${silent} s`,
    };
  }
  const sinceBeat = now - snapshot.runnerBeatAt;
  if (sinceBeat > MISSED_BEATS * snapshot.runnerHeartbeatMs) {
    return {
      status: "down",
      ...restarts,
      message: `the job runner last heartbeated ${Math.round(sinceBeat / 1000)} s ago`,
    };
  }
  return { status: "ok", ...restarts };
}

/**
 * Opsdeck's own health: the database answers, some process schedules, queued jobs get
 * picked up, notifications go out, and this process's engine thread runs and its job
 * runner heartbeats (a dead engine means no checks, alerts or jobs: down).
 */
export function selfHealth(
  db: Db,
  runtime: { engine: Pick<Runtime["engine"], "status"> } | undefined,
  now = Date.now(),
): HealthReport {
  const engine = runtime?.engine.status();
  const checks: HealthReport["checks"] = {};
  try {
    db.get(sql`select 1`);
    checks.database = { status: "ok" };
  } catch {
    checks.database = { status: "down" };
    return { status: "down", checks };
  }
  const holder = leaseHolder(db, SCHEDULER_LEASE);
  checks.scheduler = holder
    ? { status: "ok", role: engine?.snapshot?.leader ? "leader" : "standby" }
    : { status: "degraded", role: "none", message: "no process holds the scheduler lease" };
  const waiting = staleQueuedCount(db, 10 * 60_000);
  checks.jobs = waiting > 0 ? { status: "degraded", waitingOver10m: waiting } : { status: "ok" };
  // Alerting that cannot deliver is silent; say so where an outside monitor looks.
  const undelivered = db.$client
    .prepare("select count(*) as n from notifications where status = 'pending' and created_at < ?")
    .get(Date.now() - 10 * 60_000) as { n: number };
  checks.notifications =
    undelivered.n > 0
      ? { status: "degraded", undeliveredOver10m: undelivered.n }
      : { status: "ok" };
  checks.runner = runnerCheck(engine, now);
  const status = Object.values(checks).reduce<CheckStatus>((s, c) => worst(s, c.status), "ok");
  return { status, checks };
}
