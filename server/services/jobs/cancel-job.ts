import "server-only";
import { eq } from "drizzle-orm";
import { cancelJobInput } from "@/lib/schemas/jobs";
import { jobs } from "@/server/db/schema";
import { defineService, ServiceError } from "@/server/services/service";

/**
 * Cancels a job. A queued one is canceled at once; a running one gets a cancel
 * request that its runner (in whichever process) passes on as an abort, and the job
 * stops at its next safe point and is recorded as canceled. A finished job is a 409.
 */
export const cancelJob = defineService({
  name: "jobs.cancel",
  role: "operator",
  input: cancelJobInput,
  run(ctx, input) {
    const by = ctx.requester.name;
    return ctx.commit(
      (r: { jobId: number; kind: string; status: "canceled" | "canceling"; was: string }) => ({
        action: "jobs.cancel",
        targetType: "job",
        targetId: r.jobId,
        details: { kind: r.kind, was: r.was, result: r.status },
      }),
      (tx) => {
        // Read and write in one IMMEDIATE transaction: a runner cannot claim it in between.
        const job = tx.select().from(jobs).where(eq(jobs.id, input.jobId)).get();
        if (!job) throw new ServiceError(404, `No job #${input.jobId}.`);
        const now = new Date();
        if (job.status === "queued") {
          tx.update(jobs)
            .set({
              status: "canceled",
              error: `Canceled by ${by}.`,
              finishedAt: now,
              cancelRequestedAt: now,
              cancelRequestedBy: by,
            })
            .where(eq(jobs.id, job.id))
            .run();
          return { jobId: job.id, kind: job.kind, status: "canceled" as const, was: job.status };
        }
        if (job.status === "running") {
          // A second request keeps the first requester: that is who the job will name.
          if (!job.cancelRequestedBy)
            tx.update(jobs)
              .set({ cancelRequestedAt: now, cancelRequestedBy: by })
              .where(eq(jobs.id, job.id))
              .run();
          return { jobId: job.id, kind: job.kind, status: "canceling" as const, was: job.status };
        }
        throw new ServiceError(
          409,
          `Job #${job.id} already finished (${job.status}${job.finishedAt ? ` at ${job.finishedAt.toISOString()}` : ""}); there is nothing to cancel.`,
        );
      },
    );
  },
});
