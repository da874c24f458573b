// GET /api/jobs/{id} — a job's status, progress and log (deploy and backup logs: operators only)
import { canSeeJobLog, JOB_LOG_HIDDEN } from "@/lib/job-view";
import { idParams } from "@/lib/schemas/common";
import { apiRoute, HttpError } from "@/server/http/route";
import { getJob, jobLogsAfter, toJobLogView, toJobView } from "@/server/queries/jobs";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "jobs.get",
  auth: "viewer",
  params: idParams,
  handler: ({ db, params, user }) => {
    const job = getJob(db, params.id);
    if (!job) throw new HttpError(404, `No job ${params.id}.`);
    if (!canSeeJobLog(user!.role, job.kind))
      return { job: toJobView(job), log: null, logHidden: JOB_LOG_HIDDEN };
    return { job: toJobView(job), log: jobLogsAfter(db, job.id, 0).map(toJobLogView) };
  },
});
