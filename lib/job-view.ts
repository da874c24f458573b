import { hasRole, type Role } from "@/lib/roles";

/** A job as the browser sees it (progress streams and job pages). */
export type JobView = {
  id: number;
  kind: string;
  status: "queued" | "running" | "succeeded" | "failed" | "canceled";
  progress: number | null;
  progressLabel: string | null;
  error: string | null;
  result: unknown;
  requestedByName: string;
  /** Who asked to cancel it, while it runs on to its next safe point. */
  cancelRequestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type JobLogView = { id: number; at: string; level: string; message: string };

/**
 * Deploy and backup job logs carry command output (a deploy script's, a dump's): they
 * are for operators and admins. Viewers see such a job's status and progress only.
 */
export function canSeeJobLog(role: Role, kind: string): boolean {
  return hasRole(role, "operator") || !(kind.startsWith("deploy.") || kind.startsWith("backup."));
}

export const JOB_LOG_HIDDEN =
  "The log of deploy and backup jobs is shown to operators and admins only; you see the status and progress.";

export const isFinished = (status: JobView["status"]) =>
  status === "succeeded" || status === "failed" || status === "canceled";

/**
 * What a finished job's status alone would misstate: a rollback that deployed with no
 * active monitor to check it succeeded, but it is "deployed, not verified".
 */
export function resultNote(view: Pick<JobView, "kind" | "status" | "result">): string | null {
  const r = view.result as { outcome?: unknown; detail?: unknown } | null;
  if (view.kind === "deploy.action" && r?.outcome === "unverified")
    return typeof r.detail === "string" ? r.detail : "deployed, not verified";
  return null;
}
