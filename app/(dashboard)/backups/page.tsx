import type { Metadata } from "next";
import Link from "next/link";
import { BackupNowButton } from "@/components/backups/backup-now-button";
import { RestoreButton } from "@/components/backups/restore-button";
import { PageHeader } from "@/components/page-header";
import { StatusPill } from "@/components/status-pill";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type {
  BackupHistoryEntry,
  BackupJobSummary,
  BackupView,
  RestoreView,
} from "@/lib/backup-view";
import { formatDuration } from "@/lib/duration";
import { formatBytes } from "@/lib/format";
import { hasRole } from "@/lib/roles";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import {
  backupEntry,
  backupHistory,
  backupSummaries,
  externalHistory,
  type BackupFilter,
} from "@/server/queries/backups";

export const metadata: Metadata = { title: "Backups" };

const ratio = (b: BackupView) =>
  b.rawBytes && b.sizeBytes ? `${(b.rawBytes / b.sizeBytes).toFixed(1)}×` : "—";

function Figure({
  label,
  children,
  warn,
}: {
  label: string;
  children: React.ReactNode;
  warn?: boolean;
}) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`font-medium ${warn ? "text-red-700" : ""}`}>{children}</dd>
    </div>
  );
}

function JobCard({
  job,
  now,
  canRun,
  tz,
}: {
  job: BackupJobSummary;
  now: number;
  canRun: boolean;
  tz: string;
}) {
  const last = job.lastSuccess;
  const rate = job.successRate30d.total ? job.successRate30d.ok / job.successRate30d.total : null;
  return (
    <section
      className={`rounded-lg border bg-white p-4 ${job.overdue ? "border-red-300" : "border-slate-200"}`}
      data-testid={`backup-job-${job.id}`}
      aria-label={job.name}
    >
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h2 className="font-semibold">{job.name}</h2>
          <p className="text-xs text-slate-500">
            {job.source} · {job.serviceName} · {job.environmentName}
            {job.schedule ? ` · cron ${job.schedule} UTC` : " · reported by heartbeat"}
          </p>
        </div>
        {canRun && job.source !== "external" ? (
          <BackupNowButton backup={job.id} timeZone={tz} />
        ) : null}
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-3 text-sm md:grid-cols-5">
        <Figure label="Last success" warn={job.overdue}>
          {last ? (
            <span data-testid="last-success-age">
              {formatDuration(now - Date.parse(last.finishedAt ?? last.startedAt))} ago
              {job.overdue ? " (overdue)" : ""}
            </span>
          ) : (
            <span className="text-red-700">never</span>
          )}
        </Figure>
        <Figure label="Size">
          {last ? `${formatBytes(last.sizeBytes)} (${ratio(last)})` : "—"}
        </Figure>
        <Figure label="Duration">
          {last?.durationMs != null ? formatDuration(last.durationMs) : "—"}
        </Figure>
        <Figure label="Checksum (SHA-256)">
          <span
            className="font-mono text-xs"
            title={last?.sha256 ?? undefined}
            data-testid="last-success-sha256"
          >
            {last?.sha256 ? `${last.sha256.slice(0, 12)}…` : "—"}
          </span>
        </Figure>
        <Figure label="Verified">
          {last
            ? last.verified
              ? `yes, ${last.tableCount} tables, ${last.rowCount?.toLocaleString("en")} rows`
              : "reported"
            : "—"}
        </Figure>
        <Figure label="Restore drill" warn={job.lastDrill ? !job.lastDrill.ok : false}>
          {job.lastDrill
            ? `${job.lastDrill.ok ? "passed" : "FAILED"} ${formatDuration(now - Date.parse(job.lastDrill.at))} ago`
            : "never"}
        </Figure>
        <Figure label="Success (30 days)" warn={rate !== null && rate < 1}>
          {rate === null
            ? "—"
            : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}% (${job.successRate30d.ok}/${job.successRate30d.total})`}
        </Figure>
        <Figure label="Next run">
          {job.nextRunAt ? <Time timeZone={tz} value={job.nextRunAt} /> : "—"}
        </Figure>
        <Figure label="Last run">
          {job.lastRun ? (
            <StatusPill
              status={job.lastRun.status === "verified" ? "succeeded" : job.lastRun.status}
            />
          ) : (
            "—"
          )}
        </Figure>
      </dl>
      {job.lastRun?.status === "failed" && job.lastRun.error ? (
        <p className="mt-2 text-sm text-red-700">{job.lastRun.error}</p>
      ) : null}
      {job.selfBackup ? (
        <p className="mt-2 text-sm text-slate-600" data-testid="self-restore-note">
          This is the database Opsdeck runs on: it cannot be restored from this page. Restoring it
          needs Opsdeck stopped; then <code>npm run restore-self -- &lt;file&gt;</code> does it (
          <Link className="underline" href="/runbooks/opsdeck-itself">
            runbook
          </Link>
          ).
        </p>
      ) : null}
    </section>
  );
}

const KIND_LABELS: Record<BackupView["kind"], string> = {
  scheduled: "scheduled",
  manual: "manual",
  safety: "safety copy",
  external: "external",
};

function BackupRow({
  b,
  job,
  isAdmin,
  tz,
}: {
  b: BackupView;
  job: BackupJobSummary | undefined;
  isAdmin: boolean;
  tz: string;
}) {
  return (
    <tr className="border-t border-slate-100 align-top" data-testid={`backup-row-${b.id}`}>
      <td className="whitespace-nowrap px-3 py-2">
        <Time timeZone={tz} value={b.startedAt} />
      </td>
      <td className="px-3 py-2">{b.jobId}</td>
      <td className="px-3 py-2 text-xs">
        {KIND_LABELS[b.kind]}
        {b.kind === "safety" && b.runJobId ? (
          <div className="text-slate-500">
            taken before{" "}
            <Link className="underline" href={`/jobs/${b.runJobId}`}>
              restore job #{b.runJobId}
            </Link>
          </div>
        ) : null}
      </td>
      <td className="px-3 py-2">
        <StatusPill status={b.status === "verified" ? "succeeded" : b.status} />
        {b.error ? <div className="mt-1 max-w-sm text-xs text-red-700">{b.error}</div> : null}
        {b.deletedReason ? (
          <div className="mt-1 text-xs text-slate-500">{b.deletedReason}</div>
        ) : null}
        {b.drill ? (
          <div className={`mt-1 text-xs ${b.drill.ok ? "text-green-800" : "text-red-700"}`}>
            drill {b.drill.ok ? "passed" : "failed"}
          </div>
        ) : null}
      </td>
      <td className="px-3 py-2 text-xs">{b.requestedBy}</td>
      <td className="px-3 py-2 tabular-nums">{formatBytes(b.sizeBytes)}</td>
      <td className="px-3 py-2 tabular-nums">{ratio(b)}</td>
      <td className="px-3 py-2 tabular-nums">
        {b.durationMs != null ? formatDuration(b.durationMs) : "—"}
      </td>
      <td className="px-3 py-2 font-mono text-xs" title={b.sha256 ?? undefined}>
        {b.sha256 ? `${b.sha256.slice(0, 12)}…` : ""}
      </td>
      <td className="px-3 py-2">
        {isAdmin && b.status === "verified" && b.id > 0 ? (
          <div className="flex flex-col items-start gap-2">
            <a href={`/api/backups/${b.id}/download`} className="text-xs underline">
              Download
            </a>
            {job?.selfBackup ? (
              <Link className="text-xs underline" href="/runbooks/opsdeck-itself">
                Restore with Opsdeck stopped
              </Link>
            ) : job?.source === "sqlite" && b.kind !== "external" ? (
              <RestoreButton
                backupId={b.id}
                fileName={b.fileName ?? `#${b.id}`}
                environmentName={job.environmentName}
                protectedEnvironment={job.protectedEnvironment}
              />
            ) : null}
          </div>
        ) : null}
      </td>
    </tr>
  );
}

function RestoreRow({ r, tz }: { r: RestoreView; tz: string }) {
  const duration = r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.at) : null;
  return (
    <tr
      className="border-t border-slate-100 bg-amber-50/40 align-top"
      data-testid={`restore-row-${r.jobId}`}
    >
      <td className="whitespace-nowrap px-3 py-2">
        <Time timeZone={tz} value={r.at} />
      </td>
      <td className="px-3 py-2">{r.backupJobId}</td>
      <td className="px-3 py-2 text-xs">
        restore
        <div className="text-slate-500">
          of backup #{r.backupId}
          {r.safetyBackupId ? ` · safety copy #${r.safetyBackupId}` : ""}
        </div>
      </td>
      <td className="px-3 py-2">
        <StatusPill status={r.status} />
        {r.error ? <div className="mt-1 max-w-sm text-xs text-red-700">{r.error}</div> : null}
      </td>
      <td className="px-3 py-2 text-xs">{r.requestedBy}</td>
      <td className="px-3 py-2" />
      <td className="px-3 py-2" />
      <td className="px-3 py-2 tabular-nums">
        {duration != null ? formatDuration(duration) : "—"}
      </td>
      <td className="px-3 py-2" />
      <td className="px-3 py-2">
        <Link className="text-xs underline" href={`/jobs/${r.jobId}`}>
          Job #{r.jobId}
        </Link>
      </td>
    </tr>
  );
}

type Search = { job?: string; status?: string; kind?: string; before?: string };

export default async function BackupsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const q = await searchParams;
  const { config } = getConfig();
  const db = getDb();
  // eslint-disable-next-line react-hooks/purity -- a server render reads the clock once
  const now = Date.now();
  const jobs = backupSummaries(db, config, now);
  const filter: BackupFilter = {
    job: config.backups.some((b) => b.id === q.job) ? q.job : undefined,
    status: ["running", "verified", "failed", "deleted"].includes(q.status ?? "")
      ? (q.status as BackupFilter["status"])
      : undefined,
    kind: ["scheduled", "manual", "safety", "restore"].includes(q.kind ?? "")
      ? (q.kind as BackupFilter["kind"])
      : undefined,
    before: Number(q.before) > 0 ? Number(q.before) : undefined,
  };
  const page = backupHistory(db, filter);
  const history: BackupHistoryEntry[] = [
    ...page.entries,
    ...(filter.before || filter.status || filter.kind
      ? []
      : externalHistory(db, config, now)
          .filter((b) => !filter.job || b.jobId === filter.job)
          .map(backupEntry)),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const byJob = new Map(jobs.map((j) => [j.id, j]));
  const isAdmin = hasRole(user.role, "admin");

  return (
    <div className="space-y-6">
      <PageHeader
        title="Backups"
        timeZone={tz}
        description="Every backup is verified (integrity check, checksum) before it counts. Red means the newest good backup is older than its schedule allows."
        actions={
          <Link href="/runbooks/database-operations" className="text-sm underline">
            Runbook: backups and restores
          </Link>
        }
      />
      {jobs.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          No backup jobs are configured. Add them under <code>backups:</code> in opsdeck.yaml.
        </p>
      ) : (
        jobs.map((job) => (
          <JobCard
            key={job.id}
            job={job}
            now={now}
            canRun={hasRole(user.role, "operator")}
            tz={tz}
          />
        ))
      )}

      <section>
        <h2 className="mb-2 font-semibold">History</h2>
        <form
          method="get"
          className="mb-3 flex flex-wrap items-end gap-3 text-sm"
          aria-label="Filter backups"
        >
          {(
            [
              ["job", "Job", config.backups.map((b) => b.id)],
              ["status", "Status", ["verified", "failed", "running", "deleted"]],
              ["kind", "Kind", ["scheduled", "manual", "safety", "restore"]],
            ] as const
          ).map(([name, label, options]) => (
            <label key={name}>
              <span className="block text-slate-600">{label}</span>
              <select
                name={name}
                defaultValue={q[name] ?? ""}
                className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5"
              >
                <option value="">All</option>
                {options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button
            type="submit"
            className="rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white"
          >
            Filter
          </button>
        </form>
        <Table
          columns={[
            "Started",
            "Job",
            "Kind",
            "Result",
            "By",
            "Size",
            "Ratio",
            "Duration",
            "Checksum",
            "",
          ]}
          testId="backup-history"
          empty={history.length ? undefined : "No backups yet."}
        >
          {history.map((entry) =>
            entry.type === "restore" ? (
              <RestoreRow key={`restore-${entry.restore.jobId}`} r={entry.restore} tz={tz} />
            ) : (
              <BackupRow
                tz={tz}
                key={`${entry.backup.jobId}-${entry.backup.id}-${entry.at}`}
                b={entry.backup}
                job={byJob.get(entry.backup.jobId)}
                isAdmin={isAdmin}
              />
            ),
          )}
        </Table>
        {page.nextBefore ? (
          <Link
            className="mt-3 inline-block text-sm underline"
            href={`/backups?${new URLSearchParams({ ...q, before: String(page.nextBefore) } as Record<string, string>)}`}
          >
            Older →
          </Link>
        ) : null}
      </section>
    </div>
  );
}
