import "server-only";
import { eq } from "drizzle-orm";
import { restoreBackupInput } from "@/lib/schemas/backups";
import { getConfig } from "@/server/config";
import { isSelfBackup } from "@/server/config/self-backup";
import { backups } from "@/server/db/schema";
import { enqueueOrRefuse } from "@/server/jobs/lock-conflict";
import { requestKey } from "@/server/jobs/queue";
import { defineService, ServiceError } from "@/server/services/service";
import "@/server/jobs/kinds";

/**
 * Restores a verified backup into the live database (a job; see server/backups/restore.ts).
 * While any job of the same backup job runs, only the same person's same restore is
 * followed; anything else is a 409 naming the running job.
 */
export const restoreBackup = defineService({
  name: "backups.restore",
  role: "admin",
  input: restoreBackupInput,
  run(ctx, input) {
    const backup = ctx.db.select().from(backups).where(eq(backups.id, input.backupId)).get();
    if (!backup) throw new ServiceError(404, `No backup #${input.backupId}.`);
    if (isSelfBackup(backup.jobId))
      throw new ServiceError(
        409,
        "Opsdeck's own database cannot be restored while Opsdeck runs on it: stop Opsdeck, then run `npm run restore-self -- <file>` (runbook: Operating Opsdeck itself).",
      );
    const { config } = getConfig();
    const job = config.backups.find((b) => b.id === backup.jobId);
    if (!job || job.source.type !== "sqlite")
      throw new ServiceError(409, "Only backups of a configured sqlite job can be restored here.");
    if (backup.status !== "verified")
      throw new ServiceError(
        409,
        `Backup #${backup.id} is ${backup.status}, not a verified backup.`,
      );
    const environment = config.environments.find((e) => e.id === job.environment)!;
    if (
      environment.protected &&
      input.confirm?.trim() !== environment.name &&
      input.confirm?.trim() !== environment.id
    ) {
      throw new ServiceError(400, `Type the environment's name (${environment.name}) to confirm.`, [
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
        const { job: queued } = enqueueOrRefuse(tx, {
          kind: "backup.restore",
          params: { backupId: backup.id },
          requestedBy: ctx.requester,
          lockKey: `backup:${job.id}`,
          idempotencyKey: requestKey("backup.restore", backup.id, ctx.requester, input.requestKey),
        });
        return { jobId: queued.id };
      },
    );
  },
});
