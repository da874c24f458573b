"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { JobProgress } from "@/components/job-progress";
import { Button } from "@/components/ui/button";
import type { MANUAL_JOB_KINDS, startJobInput } from "@/lib/schemas/jobs";
import type { z } from "zod";
import { startJob } from "@/server/actions/start-job";

/** Starts a job and follows it live; clicking while one runs follows the running one, and says so. */
export function StartJobButton({
  kind,
  label,
  archive,
  disabled,
}: {
  kind: (typeof MANUAL_JOB_KINDS)[number];
  label: string;
  /** What audit.archive should take. */
  archive?: z.input<typeof startJobInput>["archive"];
  disabled?: boolean;
}) {
  const router = useRouter();
  const [jobId, setJobId] = useState<number>();
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-col items-end gap-2">
      <Button
        variant="secondary"
        disabled={pending || disabled}
        onClick={() =>
          startTransition(async () => {
            setError(undefined);
            const result = await startJob({ kind, archive, requestKey: crypto.randomUUID() });
            if (result.ok) {
              setJobId(result.data.jobId);
              setNote(
                result.data.created
                  ? undefined
                  : `Already running (started by ${result.data.requestedBy}); showing it.`,
              );
            } else setError(result.error);
          })
        }
      >
        {pending ? "Starting…" : label}
      </Button>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {note ? <p className="text-xs text-slate-600">{note}</p> : null}
      {jobId ? (
        // What the job changed (a new checkpoint on the audit page, say) is read again.
        <JobProgress jobId={jobId} compact canCancel onFinished={() => router.refresh()} />
      ) : null}
    </div>
  );
}
