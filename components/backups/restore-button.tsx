"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { JobProgress } from "@/components/job-progress";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
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
  const [jobId, setJobId] = useState<number>();
  const [requestKey] = useState(() => crypto.randomUUID());
  if (jobId)
    return <JobProgress jobId={jobId} compact canCancel onFinished={() => router.refresh()} />;
  return (
    <ConfirmDialog
      trigger={{ label: "Restore" }}
      title={`Restore ${fileName}`}
      confirmLabel="Restore now"
      pendingLabel="Starting…"
      environment={{ name: environmentName, protected: protectedEnvironment }}
      onConfirm={async (confirm) => {
        const r = await restoreBackupAction({ backupId, confirm, requestKey });
        if (!r.ok) return { error: r.error, job: r.job };
        setJobId(r.data.jobId);
      }}
    >
      <p>
        Replace the live {environmentName} database with <strong>{fileName}</strong>. A safety
        backup of the current database is taken first, and put back if the restore fails its check
        or is canceled.
      </p>
    </ConfirmDialog>
  );
}
