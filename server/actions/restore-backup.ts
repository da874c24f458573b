"use server";
import "server-only";
import { eq } from "drizzle-orm";
import { restoreBackupInput } from "@/lib/schemas/backups";
import { ActionError, authAction } from "@/server/auth/action";
import { getConfig } from "@/server/config";
import { backups } from "@/server/db/schema";
import { enqueueJob } from "@/server/jobs/queue";
import "@/server/jobs/kinds";

/** Restores a verified backup into the live database (a job; see server/backups/restore.ts). */
export const restoreBackupAction = authAction({
  name: "backups.restore",
  role: "admin",
  input: restoreBackupInput,
  run(ctx, input) {
    const backup = ctx.db.select().from(backups).where(eq(backups.id, input.backupId)).get();
    if (!backup) throw new ActionError(404, `No backup #${input.backupId}.`);
    const { config } = getConfig();
    const job = config.backups.find((b) => b.id === backup.jobId);
    if (!job || job.source.type !== "sqlite")
      throw new ActionError(409, "Only backups of a configured sqlite job can be restored here.");
    if (backup.status !== "verified")
      throw new ActionError(
        409,
        `Backup #${backup.id} is ${backup.status}, not a verified backup.`,
      );
    const environment = config.environments.find((e) => e.id === job.environment)!;
    if (
      environment.protected &&
      input.confirm?.trim() !== environment.name &&
      input.confirm?.trim() !== environment.id
    ) {
      throw new ActionError(400, `Type the environment's name (${environment.name}) to confirm.`, [
        { path: "confirm", message: `Type ${environment.name} to confirm` },
      ]);
    }
    return ctx.commit(
      (r: { jobId: number }) => ({
        action: "backups.restore",
        targetType: "backup",
        targetId: backup.id,
        details: { job: job.id, file: backup.file, environment: environment.id, jobId: r.jobId },
      }),
      (tx) => {
        const { job: queued, created } = enqueueJob(tx, {
          kind: "backup.restore",
          params: { backupId: backup.id },
          requestedBy: { id: ctx.user.id, name: ctx.user.email },
          lockKey: `backup:${job.id}`,
          idempotencyKey: input.requestKey
            ? `restore:${ctx.user.id}:${input.requestKey}`
            : undefined,
        });
        if (!created && queued.kind !== "backup.restore") {
          throw new ActionError(
            409,
            `A backup of ${job.id} is running (job #${queued.id}); restore when it has finished.`,
          );
        }
        return { jobId: queued.id };
      },
    );
  },
});
