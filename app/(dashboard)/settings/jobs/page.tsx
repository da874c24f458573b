import type { Metadata } from "next";
import Link from "next/link";
import { CancelJobButton } from "@/components/cancel-job-button";
import { StatusPill } from "@/components/status-pill";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { isFinished } from "@/lib/job-view";
import { hasRole } from "@/lib/roles";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getDb } from "@/server/db";
import { JOB_STATUSES, type JobStatus } from "@/server/db/schema";
import { jobsPage } from "@/server/queries/jobs";
import { getJobKind, jobKindNames } from "@/server/jobs/registry";
import "@/server/jobs/kinds";

export const metadata: Metadata = { title: "Jobs · Settings" };

const PAGE_SIZE = 50;

type Search = { before?: string; kind?: string; status?: string };

export default async function JobsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const q = await searchParams;
  const before = /^\d{1,15}$/.test(q.before ?? "") ? Number(q.before) : undefined;
  const kind = jobKindNames().includes(q.kind ?? "") ? q.kind : undefined;
  const status = (JOB_STATUSES as readonly string[]).includes(q.status ?? "")
    ? (q.status as JobStatus)
    : undefined;
  const { rows: jobs, nextBefore } = jobsPage(getDb(), { before, kind, status, limit: PAGE_SIZE });
  const canCancel = hasRole(user.role, "operator");
  const link = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ kind, status, ...extra })) if (v) params.set(k, v);
    const text = params.toString();
    return `/settings/jobs${text ? `?${text}` : ""}`;
  };
  return (
    <div className="space-y-3">
      <form
        method="get"
        className="flex flex-wrap items-end gap-3 text-sm"
        aria-label="Filter jobs"
      >
        <label>
          <span className="block text-slate-600">Kind</span>
          <select
            name="kind"
            defaultValue={kind ?? ""}
            className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5"
          >
            <option value="">All</option>
            {jobKindNames().map((k) => (
              <option key={k} value={k}>
                {getJobKind(k)?.title ?? k}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="block text-slate-600">Status</span>
          <select
            name="status"
            defaultValue={status ?? ""}
            className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5"
          >
            <option value="">All</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white"
        >
          Filter
        </button>
      </form>
      <Table
        columns={["Job", "Status", "Requested by", "Queued", "Duration", "Error", ""]}
        testId="jobs-table"
        empty={jobs.length === 0 ? "No jobs yet." : undefined}
      >
        {jobs.map((job) => (
          <tr key={job.id} className="border-t border-slate-100 align-top">
            <td className="px-3 py-2">
              <Link className="underline" href={`/jobs/${job.id}`}>
                #{job.id} {getJobKind(job.kind)?.title ?? job.kind}
              </Link>
            </td>
            <td className="px-3 py-2">
              <StatusPill status={job.status} />
              {!isFinished(job.status) && job.cancelRequestedBy ? (
                <div className="mt-1 text-xs text-amber-800">
                  canceling (asked by {job.cancelRequestedBy})
                </div>
              ) : null}
            </td>
            <td className="px-3 py-2">{job.requestedByName}</td>
            <td className="px-3 py-2 whitespace-nowrap">
              <Time timeZone={tz} value={job.createdAt} />
            </td>
            <td className="px-3 py-2">
              {job.startedAt && job.finishedAt
                ? `${((job.finishedAt.getTime() - job.startedAt.getTime()) / 1000).toFixed(1)} s`
                : "—"}
            </td>
            <td
              className={`px-3 py-2 text-xs ${job.status === "canceled" ? "text-slate-600" : "text-red-700"}`}
            >
              {job.error ?? ""}
            </td>
            <td className="px-3 py-2">
              {canCancel && !isFinished(job.status) && !job.cancelRequestedBy ? (
                <CancelJobButton jobId={job.id} title={getJobKind(job.kind)?.title ?? job.kind} />
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
      <nav className="flex gap-4 text-sm" aria-label="Pages">
        {before ? (
          <Link className="underline" href={link({})}>
            ← Newest
          </Link>
        ) : null}
        {nextBefore ? (
          <Link className="underline" href={link({ before: String(nextBefore) })}>
            Older →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
