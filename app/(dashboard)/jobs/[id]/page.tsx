import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { Time } from "@/components/ui/time";
import { canSeeJobLog, isFinished, JOB_LOG_HIDDEN } from "@/lib/job-view";
import { hasRole } from "@/lib/roles";
import { idParams } from "@/lib/schemas/common";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getDb } from "@/server/db";
import { describeJob } from "@/server/jobs/lock-conflict";
import { getJob } from "@/server/queries/jobs";
import { getJobKind } from "@/server/jobs/registry";
import "@/server/jobs/kinds";
import { LiveJobProgress } from "./live-job-progress";

export async function generateMetadata({
  params,
}: {
  params: Promise<{ id: string }>;
}): Promise<Metadata> {
  await requirePageUser();
  const parsed = idParams.safeParse(await params);
  const job = parsed.success ? getJob(getDb(), parsed.data.id) : undefined;
  if (!job) return { title: "Not found" };
  return { title: `Job #${job.id} ${getJobKind(job.kind)?.title ?? job.kind} · Jobs` };
}

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const parsed = idParams.safeParse(await params);
  if (!parsed.success) notFound();
  const db = getDb();
  const job = getJob(db, parsed.data.id);
  if (!job) notFound();
  const withLog = canSeeJobLog(user.role, job.kind);
  const what = describeJob(db, job);
  return (
    <div className="max-w-3xl">
      <PageHeader
        title={`${getJobKind(job.kind)?.title ?? job.kind} · #${job.id}`}
        timeZone={tz}
        description={`${what ? `${what} · ` : ""}Requested by ${job.requestedByName}`}
      />
      <dl className="mb-4 grid grid-cols-3 gap-4 text-sm">
        <div>
          <dt className="text-slate-500">Queued</dt>
          <dd>
            <Time timeZone={tz} value={job.createdAt} />
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Started</dt>
          <dd>
            {job.startedAt ? (
              <Time timeZone={tz} value={job.startedAt} />
            ) : (
              <span className="text-slate-500">not yet</span>
            )}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Finished</dt>
          <dd data-testid="job-finished-at">
            {job.finishedAt ? (
              <Time timeZone={tz} value={job.finishedAt} />
            ) : (
              <span className="text-slate-500">not yet</span>
            )}
          </dd>
        </div>
      </dl>
      <LiveJobProgress
        jobId={job.id}
        finishedOnRender={isFinished(job.status)}
        canCancel={hasRole(user.role, "operator")}
        logHidden={withLog ? undefined : JOB_LOG_HIDDEN}
      />
      {job.result ? (
        <pre className="theme-fixed mt-4 overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
          {JSON.stringify(job.result, null, 2)}
        </pre>
      ) : null}
    </div>
  );
}
