/** What every server action returns to the browser. */
export type ActionIssue = { path: string; message: string };
export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: 400 | 401 | 403 | 404 | 409 | 500; error: string; issues?: ActionIssue[] };
