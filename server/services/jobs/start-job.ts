import "server-only";
import { startJobInput } from "@/lib/schemas/jobs";
import { enqueueJob } from "@/server/jobs/queue";
import { defineService } from "@/server/services/service";
import "@/server/jobs/kinds";

/** Starts a maintenance job by hand; while one of the same kind runs, returns that one. */
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
        const { job, created } = enqueueJob(tx, {
          kind: input.kind,
          params: input.kind === "audit.archive" ? (input.archive ?? {}) : {},
          requestedBy: ctx.requester,
          lockKey: input.kind,
          idempotencyKey: input.requestKey
            ? `manual:${ctx.requester.id ?? ctx.requester.name}:${input.requestKey}`
            : undefined,
        });
        return { jobId: job.id, created };
      },
    );
  },
});
