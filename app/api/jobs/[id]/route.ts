// GET /api/jobs/{id} — a job's status, progress and log
import { idParams } from "@/lib/schemas/common";
import { apiRoute, HttpError } from "@/server/http/route";
import { getJob, jobLogsAfter, toJobLogView, toJobView } from "@/server/queries/jobs";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "jobs.get",
  auth: "viewer",
  params: idParams,
  handler: ({ db, params }) => {
    const job = getJob(db, params.id);
    if (!job) throw new HttpError(404, `No job ${params.id}.`);
    return { job: toJobView(job), log: jobLogsAfter(db, job.id, 0).map(toJobLogView) };
  },
});
