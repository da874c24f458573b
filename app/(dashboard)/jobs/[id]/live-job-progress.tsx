"use client";

import { useRouter } from "next/navigation";
import { JobProgress } from "@/components/job-progress";

/**
 * The job's live progress; when a job that was still going as the page rendered ends,
 * the page renders again, so its times and result say how it ended.
 */
export function LiveJobProgress({
  jobId,
  finishedOnRender,
  canCancel,
  logHidden,
}: {
  jobId: number;
  finishedOnRender: boolean;
  canCancel: boolean;
  logHidden?: string;
}) {
  const router = useRouter();
  return (
    <JobProgress
      jobId={jobId}
      canCancel={canCancel}
      logHidden={logHidden}
      onFinished={finishedOnRender ? undefined : () => router.refresh()}
    />
  );
}
