import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { leaseHolder } from "@/server/jobs/lease";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import type { EngineStatus, ThreadStatus } from "@/server/engine/host";
import type { ThreadRole } from "@/server/engine/protocol";
import type { Runtime } from "@/server/runtime";
import { staleQueuedCount } from "./jobs";

export type CheckStatus = "ok" | "degraded" | "down";
export type HealthReport = {
  status: CheckStatus;
  checks: Record<string, { status: CheckStatus; [detail: string]: unknown }>;
};

const worst = (a: CheckStatus, b: CheckStatus): CheckStatus =>
  a === "down" || b === "down" ? "down" : a === "degraded" || b === "degraded" ? "degraded" : "ok";

/** Each engine thread reports every second; a report older than this means it is stuck. */
const THREAD_SILENT_MS = 10_000;
/** Heartbeats the job runner may miss before it counts as stopped. */
const MISSED_BEATS = 3;

type Check = HealthReport["checks"][string];

/** Whether an engine thread runs and reports. */
export function threadUp(thread: ThreadStatus | undefined, now = Date.now()): boolean {
  return (
    thread?.state === "running" && !!thread.snapshot && now - thread.snapshot.at < THREAD_SILENT_MS
  );
}

/** A thread that is not running, or not answering, is down: nothing it does gets done. */
function threadCheck(role: ThreadRole, thread: ThreadStatus | undefined, now: number): Check {
  const restarts = thread?.restarts ? { restarts: thread.restarts } : {};
  if (!thread) return { status: "down", message: `the ${role} thread has not started` };
  if (thread.state !== "running")
    return { status: "down", ...restarts, message: `the ${role} thread is ${thread.state}` };
  if (!threadUp(thread, now)) {
    const silent = Math.round((now - (thread.snapshot?.at ?? 0)) / 1000);
    return {
      status: "down",
      ...restarts,
      message: `the ${role} thread has not answered for ${silent} s`,
    };
  }
  return { status: "ok", ...restarts };
}

/** The jobs thread answers and its runner heartbeats. */
function runnerCheck(jobs: EngineStatus["jobs"] | undefined, now: number): Check {
  const check = threadCheck("jobs", jobs, now);
  const snapshot = jobs?.snapshot;
  if (check.status !== "ok" || !snapshot) return check;
  // As of the thread's last report (itself at most a few seconds old, checked above).
  const sinceBeat = snapshot.at - snapshot.runnerBeatAt;
  if (sinceBeat <= MISSED_BEATS * snapshot.runnerHeartbeatMs) return check;
  return {
    ...check,
    status: "down",
    message: `the job runner has not heartbeated for ${Math.round(sinceBeat / 1000)} s`,
  };
}

/**
 * Opsdeck's own health: the database answers, some process schedules, queued jobs get
 * picked up, notifications go out, and this process's engine threads run: the engine
 * thread (checks, alerts) answers, the jobs thread answers and its runner heartbeats, the
 * metrics thread answers.
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
    ? { status: "ok", role: engine?.engine.snapshot?.leader ? "leader" : "standby" }
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
  // Checks and alerts (the engine thread), jobs (the jobs thread): a dead one is down.
  checks.engine = threadCheck("engine", engine?.engine, now);
  checks.runner = runnerCheck(engine?.jobs, now);
  // Metrics (the metrics thread): without it nothing is scraped or stored, but checks,
  // alerts and jobs go on, so Opsdeck is degraded, not down.
  const metrics = threadCheck("metrics", engine?.metrics, now);
  checks.metrics = metrics.status === "down" ? { ...metrics, status: "degraded" } : metrics;
  const status = Object.values(checks).reduce<CheckStatus>((s, c) => worst(s, c.status), "ok");
  return { status, checks };
}
