import "server-only";
import fsp from "node:fs/promises";
import { and, eq, inArray, isNull, ne, or } from "drizzle-orm";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backups, jobs } from "@/server/db/schema";
import { backupDirs } from "./run";

/**
 * After a crash: backups recorded as running whose job is no longer running are
 * marked failed ("interrupted"), and half-written files in each destination's work
 * directory are removed. Files under final names are never touched: they only get
 * there once complete and verified.
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
  for (const job of jobsConfig) {
    if (!job.destination) continue;
    const { tmp } = backupDirs(job);
    const leftovers = await fsp.readdir(tmp).catch(() => [] as string[]);
    await Promise.all(
      leftovers.map((f) => fsp.rm(`${tmp}/${f}`, { force: true, recursive: true })),
    );
  }
  return stale.length;
}
