import type { Metadata } from "next";
import Link from "next/link";
import { StatusPill } from "@/components/status-pill";
import { Time } from "@/components/ui/time";
import { requirePageUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { recentJobs } from "@/server/queries/jobs";
import { getJobKind } from "@/server/jobs/registry";
import "@/server/jobs/kinds";
import { Table } from "@/components/ui/table";

export const metadata: Metadata = { title: "Jobs" };

export default async function JobsPage() {
  await requirePageUser();
  const jobs = recentJobs(getDb(), 50);
  return (
    <Table
      columns={["Job", "Status", "Requested by", "Queued", "Duration", "Error"]}
      testId="jobs-table"
      empty={jobs.length === 0 ? "No jobs yet." : undefined}
    >
      {jobs.map((job) => (
        <tr key={job.id} className="border-t border-slate-100">
          <td className="px-3 py-2">
            <Link className="underline" href={`/jobs/${job.id}`}>
              #{job.id} {getJobKind(job.kind)?.title ?? job.kind}
            </Link>
          </td>
          <td className="px-3 py-2">
            <StatusPill status={job.status} />
          </td>
          <td className="px-3 py-2">{job.requestedByName}</td>
          <td className="px-3 py-2 whitespace-nowrap">
            <Time value={job.createdAt} />
          </td>
          <td className="px-3 py-2">
            {job.startedAt && job.finishedAt
              ? `${((job.finishedAt.getTime() - job.startedAt.getTime()) / 1000).toFixed(1)} s`
              : "—"}
          </td>
          <td className="px-3 py-2 text-xs text-red-700">{job.error ?? ""}</td>
        </tr>
      ))}
    </Table>
  );
}
