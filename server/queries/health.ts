import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { leaseHolder } from "@/server/jobs/lease";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import type { Runtime } from "@/server/runtime";
import { staleQueuedCount } from "./jobs";

export type CheckStatus = "ok" | "degraded" | "down";
export type HealthReport = {
  status: CheckStatus;
  checks: Record<string, { status: CheckStatus; [detail: string]: unknown }>;
};

const worst = (a: CheckStatus, b: CheckStatus): CheckStatus =>
  a === "down" || b === "down" ? "down" : a === "degraded" || b === "degraded" ? "degraded" : "ok";

/** Opsdeck's own health: the database answers, some process schedules, queued jobs get picked up. */
export function selfHealth(db: Db, runtime: Runtime | undefined): HealthReport {
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
    ? { status: "ok", role: runtime?.scheduler.isLeader ? "leader" : "standby" }
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
  checks.runner = runtime
    ? { status: "ok" }
    : { status: "degraded", message: "job runner not started" };
  const status = Object.values(checks).reduce<CheckStatus>((s, c) => worst(s, c.status), "ok");
  return { status, checks };
}
