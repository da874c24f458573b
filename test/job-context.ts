import type { Db } from "@/server/db";
import { jobs } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";

/** A running job row and the context the runner would give its kind; log lines are kept. */
export function jobContext(db: Db, kind: string): JobContext<unknown> & { lines: string[] } {
  const job = db
    .insert(jobs)
    .values({ kind, params: {}, requestedByName: "test", status: "running" })
    .returning()
    .get();
  const lines: string[] = [];
  return {
    jobId: job.id,
    params: {},
    db,
    signal: new AbortController().signal,
    log: (_l, m) => lines.push(m),
    progress: () => undefined,
    lines,
  };
}
