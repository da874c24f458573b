"use server";
import "server-only";
import { startJobInput } from "@/lib/schemas/jobs";
import { authAction } from "@/server/auth/action";
import { enqueueJob } from "@/server/jobs/queue";
import "@/server/jobs/kinds";

/** Starts a maintenance job by hand; while one of the same kind runs, returns that one. */
export const startJob = authAction({
  name: "jobs.start",
  role: "admin",
  input: startJobInput,
  run(ctx, input) {
    return ctx.commit(
      (r: { jobId: number; created: boolean }) => ({
        action: "jobs.start",
        targetType: "job",
        targetId: r.jobId,
        details: { kind: input.kind, created: r.created },
      }),
      (tx) => {
        const { job, created } = enqueueJob(tx, {
          kind: input.kind,
          params: {},
          requestedBy: { id: ctx.user.id, name: ctx.user.email },
          lockKey: input.kind,
          idempotencyKey: input.requestKey
            ? `manual:${ctx.user.id}:${input.requestKey}`
            : undefined,
        });
        return { jobId: job.id, created };
      },
    );
  },
});
