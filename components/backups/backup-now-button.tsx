"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { JobProgress } from "@/components/job-progress";
import { Button } from "@/components/ui/button";
import { formatClock } from "@/lib/time-zone";
import { triggerBackup } from "@/server/actions/trigger-backup";

/**
 * "Back up now" with a live progress bar. While a backup of the same job runs (anyone's,
 * or the schedule's) a click follows that one, and says whose it is; a restore or drill
 * in the way is refused with a link to it.
 */
export function BackupNowButton({ backup, timeZone }: { backup: string; timeZone: string }) {
  const router = useRouter();
  const [jobId, setJobId] = useState<number>();
  const [note, setNote] = useState<string>();
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-2">
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const r = await triggerBackup({ backup, requestKey: crypto.randomUUID() });
            if (!r.ok) {
              setJobId(r.job?.id);
              return setNote(r.error);
            }
            setJobId(r.data.jobId);
            setNote(
              r.data.created
                ? undefined
                : `A backup of this job, started by ${r.data.requestedBy} at ${formatClock(r.data.since, timeZone)}, is already running; showing it.`,
            );
          })
        }
      >
        {pending ? "Starting…" : "Back up now"}
      </Button>
      {note ? <p className="text-xs text-slate-600">{note}</p> : null}
      {jobId ? (
        <JobProgress jobId={jobId} compact canCancel onFinished={() => router.refresh()} />
      ) : null}
    </div>
  );
}
