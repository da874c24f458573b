/** What every server action returns to the browser. */
export type ActionIssue = { path: string; message: string };
/** The running job a refusal is about (it holds the lock the request needs): shown with a link. */
export type BlockingJob = {
  id: number;
  title: string;
  requestedBy: string;
  status: string;
  /** ISO time it started (or was queued). */
  since: string;
};
export type ActionResult<T> =
  | { ok: true; data: T }
  | {
      ok: false;
      status: 400 | 401 | 403 | 404 | 409 | 500;
      error: string;
      issues?: ActionIssue[];
      job?: BlockingJob;
    };
