import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { deployments, jobs } from "@/server/db/schema";

/**
 * After a crash: a rollback or redeploy Opsdeck was making is recorded as "unknown",
 * saying so, unless a deploy job is still running somewhere. Opsdeck cannot tell how
 * far the platform got; the person must look.
 */
export function recoverInterruptedDeploys(db: Db): number {
  const running = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.kind, "deploy.action"), eq(jobs.status, "running")))
    .get();
  if (running) return 0;
  return db
    .update(deployments)
    .set({
      status: "unknown",
      providerStatus:
        "interrupted: Opsdeck stopped during this deploy; check the platform for what is live",
      finishedAt: sql`coalesce(${deployments.finishedAt}, ${Date.now()})`,
    })
    .where(and(eq(deployments.source, "opsdeck"), eq(deployments.status, "started")))
    .run().changes;
}
