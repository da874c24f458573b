"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { CancelJobButton } from "@/components/cancel-job-button";
import { StatusPill } from "@/components/status-pill";
import { isFinished, resultNote, type JobLogView, type JobView } from "@/lib/job-view";

/** Follows a job over server-sent events: status, progress bar and log lines as they are written. */
export function JobProgress({
  jobId,
  compact = false,
  canCancel = false,
  logHidden,
  onFinished,
}: {
  jobId: number;
  compact?: boolean;
  /** Offer "Cancel job" while it is queued or running (operators). */
  canCancel?: boolean;
  /** Why no log lines are shown (a viewer following a deploy or backup job). */
  logHidden?: string;
  /** Called once when the job ends (to refresh the page around it). */
  onFinished?: (status: string) => void;
}) {
  const [job, setJob] = useState<JobView>();
  const [log, setLog] = useState<JobLogView[]>([]);
  const [lost, setLost] = useState<false | "retrying" | "closed">(false);
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  }, [onFinished]);

  useEffect(() => {
    const source = new EventSource(`/api/jobs/${jobId}/events`);
    source.addEventListener("job", (e) => {
      setJob(JSON.parse((e as MessageEvent).data));
      setLost(false);
    });
    source.addEventListener("log", (e) => {
      const line = JSON.parse((e as MessageEvent).data) as JobLogView;
      setLog((lines) => (lines.some((l) => l.id === line.id) ? lines : [...lines, line]));
    });
    source.addEventListener("end", (e) => {
      source.close();
      finished.current?.(JSON.parse((e as MessageEvent).data).status);
    });
    // A refused stream (429: too many live views in this session) is not retried.
    source.onerror = () =>
      setLost(source.readyState === EventSource.CLOSED ? "closed" : "retrying");
    return () => source.close();
  }, [jobId]);

  const percent = job?.status === "succeeded" ? 100 : (job?.progress ?? 0);
  return (
    <div
      className={`rounded-md border border-slate-200 bg-white p-3 text-sm ${compact ? "w-80" : "w-full"}`}
      data-testid="job-progress"
    >
      <div className="flex items-center justify-between gap-2">
        <Link href={`/jobs/${jobId}`} className="font-medium underline">
          Job #{jobId}
        </Link>
        {job ? (
          <StatusPill status={job.status} />
        ) : (
          <span className="text-xs text-slate-500">connecting…</span>
        )}
      </div>
      <div
        className="mt-2 h-2 overflow-hidden rounded bg-slate-100"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-label={`Job ${jobId} progress`}
      >
        <div
          className={`h-full transition-all ${job?.status === "failed" ? "bg-red-600" : "bg-sky-600"}`}
          style={{ width: `${percent}%` }}
        />
      </div>
      {job?.progressLabel && !isFinished(job.status) ? (
        <div className="mt-1 text-xs text-slate-500">{job.progressLabel}</div>
      ) : null}
      {job?.error ? (
        <div
          className={`mt-1 text-xs ${job.status === "canceled" ? "text-slate-600" : "text-red-700"}`}
        >
          {job.error}
        </div>
      ) : null}
      {job && resultNote(job) ? (
        <div className="mt-1 text-xs text-amber-800" data-testid="job-note">
          {resultNote(job)}
        </div>
      ) : null}
      {job && !isFinished(job.status) && job.cancelRequestedBy ? (
        <div className="mt-1 text-xs text-amber-800">
          Canceling (asked by {job.cancelRequestedBy}): it stops at its next safe point…
        </div>
      ) : null}
      {canCancel && job && !isFinished(job.status) && !job.cancelRequestedBy ? (
        <div className="mt-2">
          <CancelJobButton jobId={jobId} title={`job #${jobId}`} onRequested={() => undefined} />
        </div>
      ) : null}
      {logHidden ? <p className="mt-2 text-xs text-slate-500">{logHidden}</p> : null}
      {lost && !(job && isFinished(job.status)) ? (
        <div className="mt-1 text-xs text-amber-700">
          {lost === "closed"
            ? "Live updates stopped (too many live job views open?); close another, then reload."
            : "Connection lost; retrying…"}
        </div>
      ) : null}
      <ol
        className={`mt-2 space-y-0.5 overflow-y-auto font-mono text-xs text-slate-700 ${compact ? "max-h-32" : "max-h-96"}`}
      >
        {log.map((line) => (
          <li
            key={line.id}
            className={
              line.level === "error"
                ? "text-red-700"
                : line.level === "warn"
                  ? "text-amber-700"
                  : ""
            }
          >
            {line.at.slice(11, 19)} {line.message}
          </li>
        ))}
      </ol>
    </div>
  );
}
