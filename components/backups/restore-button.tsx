"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { JobProgress } from "@/components/job-progress";
import { EnvironmentConfirm } from "@/components/environment-confirm";
import { Button } from "@/components/ui/button";
import { restoreBackupAction } from "@/server/actions/restore-backup";

/**
 * Restore, behind a confirmation that says what will happen; a protected environment
 * needs its name typed.
 */
export function RestoreButton({
  backupId,
  fileName,
  environmentName,
  protectedEnvironment,
}: {
  backupId: number;
  fileName: string;
  environmentName: string;
  protectedEnvironment: boolean;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string>();
  const [jobId, setJobId] = useState<number>();
  const [pending, startTransition] = useTransition();
  if (jobId) return <JobProgress jobId={jobId} compact onFinished={() => router.refresh()} />;
  if (!open) {
    return (
      <Button size="sm" variant="danger" onClick={() => setOpen(true)}>
        Restore
      </Button>
    );
  }
  return (
    <div
      role="dialog"
      aria-label={`Restore ${fileName}`}
      className="w-80 space-y-2 rounded-md border border-red-300 bg-red-50 p-3 text-xs"
    >
      <p>
        Replace the live {environmentName} database with <strong>{fileName}</strong>. A safety
        backup of the current database is taken first, and put back if the restore fails its check.
      </p>
      {protectedEnvironment ? (
        <EnvironmentConfirm environmentName={environmentName} value={typed} onChange={setTyped} />
      ) : null}
      {error ? (
        <p role="alert" className="text-red-800">
          {error}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button
          size="sm"
          variant="danger"
          disabled={pending || (protectedEnvironment && typed.trim() !== environmentName)}
          onClick={() =>
            startTransition(async () => {
              const r = await restoreBackupAction({
                backupId,
                confirm: typed || undefined,
                requestKey: crypto.randomUUID(),
              });
              if (r.ok) setJobId(r.data.jobId);
              else setError(r.error);
            })
          }
        >
          {pending ? "Starting…" : "Restore now"}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
