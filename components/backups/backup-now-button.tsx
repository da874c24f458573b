"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { JobProgress } from "@/components/job-progress";
import { Button } from "@/components/ui/button";
import { triggerBackup } from "@/server/actions/trigger-backup";

/** "Back up now" with a live progress bar; a second click while one runs follows the running one. */
export function BackupNowButton({ backup }: { backup: string }) {
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
            if (!r.ok) return setNote(r.error);
            setJobId(r.data.jobId);
            setNote(
              r.data.created ? undefined : "A backup of this job was already running; showing it.",
            );
          })
        }
      >
        {pending ? "Starting…" : "Back up now"}
      </Button>
      {note ? <p className="text-xs text-slate-600">{note}</p> : null}
      {jobId ? <JobProgress jobId={jobId} compact onFinished={() => router.refresh()} /> : null}
    </div>
  );
}
