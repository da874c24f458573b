import "server-only";
import { startJobInput } from "@/lib/schemas/jobs";
import { enqueueOrRefuse } from "@/server/jobs/lock-conflict";
import { requestKey } from "@/server/jobs/queue";
import { defineService } from "@/server/services/service";
import "@/server/jobs/kinds";

/**
 * Starts a maintenance job by hand. While one of the same kind runs (scheduled, or
 * started by anyone) that one is the answer: the same work on the same database; the
 * result says whose it is.
 */
export const startJob = defineService({
  name: "jobs.start",
  role: "admin",
  input: startJobInput,
  run(ctx, input) {
    return ctx.commit(
      (r: { jobId: number; created: boolean }) => ({
        action: "jobs.start",
        targetType: "job",
        targetId: r.jobId,
        details: {
          kind: input.kind,
          created: r.created,
          ...(input.archive ? { archive: input.archive } : {}),
        },
      }),
      (tx) => {
        const { job, created } = enqueueOrRefuse(tx, {
          kind: input.kind,
          params: input.kind === "audit.archive" ? (input.archive ?? {}) : {},
          requestedBy: ctx.requester,
          lockKey: input.kind,
          idempotencyKey: requestKey("jobs.start", input.kind, ctx.requester, input.requestKey),
          answeredBy: (held) => held.kind === input.kind,
        });
        return {
          jobId: job.id,
          created,
          requestedBy: job.requestedByName,
          since: (job.startedAt ?? job.createdAt).toISOString(),
        };
      },
    );
  },
});
