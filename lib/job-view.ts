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
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type JobLogView = { id: number; at: string; level: string; message: string };

export const isFinished = (status: JobView["status"]) =>
  status === "succeeded" || status === "failed" || status === "canceled";
