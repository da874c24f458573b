import "server-only";
import fsp from "node:fs/promises";
import path from "node:path";
import { and, eq, inArray, isNull, ne, or } from "drizzle-orm";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backups, jobs } from "@/server/db/schema";
import { backupDirs, workFileJob } from "./run";

/** Work files of an older version carry no job id; past this age nobody is writing them. */
const UNNAMED_MAX_AGE_MS = 24 * 3_600_000;

/**
 * After a crash: backups recorded as running whose job is no longer running are
 * marked failed ("interrupted"), and the half-written files those jobs left in each
 * destination's work directory are removed. Work files of jobs still running (another
 * live Opsdeck process, during a deploy) are left alone. Files under final names are
 * never touched: they only get there once complete and verified. Call it after the
 * runner has marked dead processes' jobs interrupted.
 */
export async function recoverInterruptedBackups(
  db: Db,
  jobsConfig: BackupJobConfig[],
): Promise<number> {
  const stale = db
    .select({ id: backups.id })
    .from(backups)
    .leftJoin(jobs, eq(jobs.id, backups.runJobId))
    .where(and(eq(backups.status, "running"), or(isNull(jobs.id), ne(jobs.status, "running"))))
    .all()
    .map((r) => r.id);
  if (stale.length > 0) {
    db.update(backups)
      .set({
        status: "failed",
        error: "interrupted: Opsdeck stopped while this backup ran",
        finishedAt: new Date(),
      })
      .where(inArray(backups.id, stale))
      .run();
  }
  const running = new Set(
    db
      .select({ id: jobs.id })
      .from(jobs)
      .where(eq(jobs.status, "running"))
      .all()
      .map((r) => r.id),
  );
  for (const job of jobsConfig) {
    if (!job.destination) continue;
    const { tmp } = backupDirs(job);
    const leftovers = await fsp.readdir(tmp).catch(() => [] as string[]);
    await Promise.all(
      leftovers.map(async (name) => {
        const file = path.join(tmp, name);
        const owner = workFileJob(name);
        if (owner !== null && running.has(owner)) return;
        if (owner === null) {
          const stat = await fsp.stat(file).catch(() => null);
          if (stat && Date.now() - stat.mtimeMs < UNNAMED_MAX_AGE_MS) return;
        }
        await fsp.rm(file, { force: true, recursive: true });
      }),
    );
  }
  return stale.length;
}
