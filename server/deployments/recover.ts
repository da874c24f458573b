import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { deployments, jobs } from "@/server/db/schema";

/**
 * After a crash: a rollback or redeploy Opsdeck was making or verifying is recorded as
 * "interrupted", saying so, unless a deploy job is still running somewhere. Opsdeck cannot tell how
 * far the platform got; the person must look.
 */
export function recoverInterruptedDeploys(db: Db): number {
  const running = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.kind, "deploy.action"), eq(jobs.status, "running")))
    .get();
  if (running) return 0;
  const now = new Date();
  const deploying = db
    .update(deployments)
    .set({
      status: "unknown",
      outcome: "interrupted",
      outcomeAt: now,
      providerStatus:
        "interrupted: Opsdeck stopped during this deploy; check the platform for what is live",
      finishedAt: sql`coalesce(${deployments.finishedAt}, ${now.getTime()})`,
    })
    .where(and(eq(deployments.source, "opsdeck"), eq(deployments.status, "started")))
    .run().changes;
  // Deployed, and Opsdeck stopped while its checks were being watched.
  const verifying = db
    .update(deployments)
    .set({
      outcome: "interrupted",
      outcomeAt: now,
      providerStatus: "deployed; Opsdeck stopped before the health checks were verified",
    })
    .where(
      and(
        eq(deployments.source, "opsdeck"),
        eq(deployments.status, "succeeded"),
        isNull(deployments.outcome),
      ),
    )
    .run().changes;
  return deploying + verifying;
}
