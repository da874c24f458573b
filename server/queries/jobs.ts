import "server-only";
import { and, asc, count, desc, eq, gt, inArray, lt } from "drizzle-orm";
import type { Db } from "@/server/db";
import { jobLogs, jobs, type Job, type JobLog } from "@/server/db/schema";

export function jobCountsByKindAndStatus(db: Db) {
  return db
    .select({ kind: jobs.kind, status: jobs.status, n: count() })
    .from(jobs)
    .groupBy(jobs.kind, jobs.status)
    .all();
}

export function getJob(db: Db, id: number): Job | undefined {
  return db.select().from(jobs).where(eq(jobs.id, id)).get();
}

/** Log lines after `afterId`, oldest first: what a progress stream sends next. */
export function jobLogsAfter(db: Db, jobId: number, afterId: number, limit = 500): JobLog[] {
  return db
    .select()
    .from(jobLogs)
    .where(and(eq(jobLogs.jobId, jobId), gt(jobLogs.id, afterId)))
    .orderBy(asc(jobLogs.id))
    .limit(limit)
    .all();
}

export function recentJobs(db: Db, limit = 20, kinds?: string[]): Job[] {
  return db
    .select()
    .from(jobs)
    .where(kinds ? inArray(jobs.kind, kinds) : undefined)
    .orderBy(desc(jobs.id))
    .limit(limit)
    .all();
}

/** Queued jobs nobody has started for `olderThanMs`: a sign the runner is stuck or absent. */
export function staleQueuedCount(db: Db, olderThanMs: number, now = Date.now()): number {
  return (
    db
      .select({ n: count() })
      .from(jobs)
      .where(and(eq(jobs.status, "queued"), lt(jobs.createdAt, new Date(now - olderThanMs))))
      .get()?.n ?? 0
  );
}

export function toJobView(job: Job): import("@/lib/job-view").JobView {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    progressLabel: job.progressLabel,
    error: job.error,
    result: job.result ?? null,
    requestedByName: job.requestedByName,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export function toJobLogView(line: JobLog): import("@/lib/job-view").JobLogView {
  return { id: line.id, at: line.at.toISOString(), level: line.level, message: line.message };
}
