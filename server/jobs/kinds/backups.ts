import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/server/audit/write";
import { applyRetention, takeBackup } from "@/server/backups/run";
import { drillBackup, restoreBackup } from "@/server/backups/restore";
import { getConfig } from "@/server/config";
import { backups, jobs } from "@/server/db/schema";
import { JobCanceled } from "../abort";
import { defineJobKind, type JobContext } from "../registry";

function backupJob(id: string) {
  const job = getConfig().config.backups.find((b) => b.id === id);
  if (!job) throw new Error(`no backup job "${id}" in the config`);
  return job;
}

function requester(ctx: JobContext<unknown>) {
  const row = ctx.db
    .select({ by: jobs.requestedBy, name: jobs.requestedByName })
    .from(jobs)
    .where(eq(jobs.id, ctx.jobId))
    .get();
  return { id: row?.by ?? null, name: row?.name ?? "system" };
}

export const backupRunJob = defineJobKind({
  kind: "backup.run",
  title: "Back up",
  params: z.strictObject({ backup: z.string(), kind: z.enum(["scheduled", "manual"]) }),
  describe: (p) => `${p.kind} backup of ${p.backup}`,
  async run(ctx) {
    const job = backupJob(ctx.params.backup);
    const done = await takeBackup(ctx, job, {
      kind: ctx.params.kind,
      requestedBy: requester(ctx).name,
    });
    const deleted = await applyRetention(ctx, job);
    return {
      backupId: done.id,
      file: done.file,
      sizeBytes: done.sizeBytes,
      sha256: done.sha256,
      deletedByRetention: deleted,
    };
  },
});

export const backupRestoreJob = defineJobKind({
  kind: "backup.restore",
  title: "Restore a backup",
  params: z.strictObject({ backupId: z.number().int().positive() }),
  describe: (p) => `backup #${p.backupId}`,
  async run(ctx) {
    const backup = ctx.db.select().from(backups).where(eq(backups.id, ctx.params.backupId)).get();
    if (!backup) throw new Error(`no backup #${ctx.params.backupId}`);
    const who = requester(ctx);
    const actor = { id: who.id, name: who.name, role: "admin" };
    const meta = { ip: null, userAgent: null, requestId: `job-${ctx.jobId}` };
    try {
      const outcome = await restoreBackup(ctx, backupJob(backup.jobId), backup, who.name);
      recordAudit(ctx.db, actor, meta, {
        action: "backups.restore_completed",
        targetType: "backup",
        targetId: backup.id,
        details: { job: backup.jobId, file: backup.file, safetyFile: outcome.safetyFile },
      });
      return outcome;
    } catch (err) {
      recordAudit(ctx.db, actor, meta, {
        // A canceled restore put the database back as it was: not a failure to look into.
        action: err instanceof JobCanceled ? "backups.restore_canceled" : "backups.restore_failed",
        outcome: "failure",
        targetType: "backup",
        targetId: backup.id,
        details: {
          job: backup.jobId,
          file: backup.file,
          error: err instanceof Error ? err.message : String(err),
        },
      });
      throw err;
    }
  },
});

export const backupDrillJob = defineJobKind({
  kind: "backup.drill",
  title: "Restore drill",
  params: z.strictObject({ backup: z.string() }),
  describe: (p) => `newest backup of ${p.backup}`,
  async run(ctx) {
    const job = backupJob(ctx.params.backup);
    const newest = ctx.db
      .select()
      .from(backups)
      .where(and(eq(backups.jobId, job.id), eq(backups.status, "verified")))
      .orderBy(desc(backups.startedAt))
      .get();
    if (!newest) throw new Error(`no verified backup of ${job.id} to drill`);
    return drillBackup(ctx, job, newest);
  },
});
