"use server";
import "server-only";
import { triggerBackupInput } from "@/lib/schemas/backups";
import { ActionError, authAction } from "@/server/auth/action";
import { getConfig } from "@/server/config";
import { enqueueJob } from "@/server/jobs/queue";
import "@/server/jobs/kinds";

/** "Back up now": while a backup of the same job runs, returns that one instead of starting another. */
export const triggerBackup = authAction({
  name: "backups.run",
  role: "operator",
  input: triggerBackupInput,
  run(ctx, input) {
    const job = getConfig().config.backups.find((b) => b.id === input.backup);
    if (!job) throw new ActionError(404, `No backup job "${input.backup}".`);
    if (job.source.type === "external")
      throw new ActionError(409, `${job.id} is made by another system; it cannot be started here.`);
    return ctx.commit(
      (r: { jobId: number; created: boolean }) => ({
        action: "backups.run",
        targetType: "backup_job",
        targetId: job.id,
        details: { jobId: r.jobId, alreadyRunning: !r.created },
      }),
      (tx) => {
        const { job: queued, created } = enqueueJob(tx, {
          kind: "backup.run",
          params: { backup: job.id, kind: "manual" },
          requestedBy: { id: ctx.user.id, name: ctx.user.email },
          lockKey: `backup:${job.id}`,
          idempotencyKey: input.requestKey
            ? `backup:${ctx.user.id}:${input.requestKey}`
            : undefined,
        });
        return { jobId: queued.id, created };
      },
    );
  },
});
