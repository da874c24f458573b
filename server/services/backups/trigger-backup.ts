import "server-only";
import { triggerBackupInput } from "@/lib/schemas/backups";
import { getConfig } from "@/server/config";
import { enqueueOrRefuse } from "@/server/jobs/lock-conflict";
import { requestKey } from "@/server/jobs/queue";
import { defineService, ServiceError } from "@/server/services/service";
import "@/server/jobs/kinds";

/**
 * "Back up now". While a backup of the same job runs (scheduled, or started by anyone)
 * that one is the answer: it is the same target, and a second copy would prove nothing
 * more; the result says whose it is. While a restore or drill of it runs: a 409.
 */
export const triggerBackup = defineService({
  name: "backups.run",
  role: "operator",
  input: triggerBackupInput,
  run(ctx, input) {
    const job = getConfig().config.backups.find((b) => b.id === input.backup);
    if (!job) throw new ServiceError(404, `No backup job "${input.backup}".`);
    if (job.source.type === "external")
      throw new ServiceError(
        409,
        `${job.id} is made by another system; it cannot be started here.`,
      );
    return ctx.commit(
      (r: { jobId: number; created: boolean }) => ({
        action: "backups.run",
        targetType: "backup_job",
        targetId: job.id,
        details: { jobId: r.jobId, alreadyRunning: !r.created },
      }),
      (tx) => {
        const { job: queued, created } = enqueueOrRefuse(tx, {
          kind: "backup.run",
          params: { backup: job.id, kind: "manual" },
          requestedBy: ctx.requester,
          lockKey: `backup:${job.id}`,
          idempotencyKey: requestKey("backup.run", job.id, ctx.requester, input.requestKey),
          answeredBy: (held) => held.kind === "backup.run",
        });
        return {
          jobId: queued.id,
          created,
          requestedBy: queued.requestedByName,
          since: (queued.startedAt ?? queued.createdAt).toISOString(),
        };
      },
    );
  },
});
