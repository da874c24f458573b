import "server-only";
import { and, asc, count, desc, eq, gt, inArray, lt } from "drizzle-orm";
import type { Db } from "@/server/db";
import { jobLogs, jobs, type Job, type JobLog, type JobStatus } from "@/server/db/schema";

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

/** The most rows one page of the jobs list returns, whatever the caller asks for. */
export const JOBS_PAGE_MAX = 100;

/**
 * One page of the jobs list, newest first, keyset-paged by id: the cost of a page does
 * not grow with the history. `nextBefore` is the cursor of the next (older) page.
 */
export function jobsPage(
  db: Db,
  opts: { before?: number; limit?: number; kind?: string; status?: JobStatus },
): { rows: Job[]; nextBefore: number | null } {
  const limit = Math.min(JOBS_PAGE_MAX, Math.max(1, Math.floor(opts.limit ?? 50)));
  const rows = db
    .select()
    .from(jobs)
    .where(
      and(
        opts.before ? lt(jobs.id, opts.before) : undefined,
        opts.kind ? eq(jobs.kind, opts.kind) : undefined,
        opts.status ? eq(jobs.status, opts.status) : undefined,
      ),
    )
    .orderBy(desc(jobs.id))
    .limit(limit + 1)
    .all();
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { rows: page, nextBefore: more ? page.at(-1)!.id : null };
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
    cancelRequestedBy: job.cancelRequestedBy,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export function toJobLogView(line: JobLog): import("@/lib/job-view").JobLogView {
  return { id: line.id, at: line.at.toISOString(), level: line.level, message: line.message };
}
