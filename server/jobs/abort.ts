import "server-only";

/** The abort reason of a job someone canceled: the job stops at its next safe point. */
export class JobCanceled extends Error {
  constructor(readonly by: string) {
    super(`canceled by ${by}`);
    this.name = "JobCanceled";
  }
}

/**
 * The abort reason of a job that is no longer this runner's (another runner's reaper
 * marked it interrupted while this one stalled): it must stop and write nothing more.
 */
export class JobLost extends Error {
  constructor(readonly jobId: number) {
    super(`job #${jobId} is no longer this runner's (it was marked interrupted)`);
    this.name = "JobLost";
  }
}

/** Whether the job's signal was aborted by a cancel (not a shutdown or a takeover). */
export function canceledBy(signal: AbortSignal): string | null {
  return signal.aborted && signal.reason instanceof JobCanceled ? signal.reason.by : null;
}
