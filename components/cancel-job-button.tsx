"use client";

import { useRouter } from "next/navigation";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { cancelJob } from "@/server/actions/cancel-job";

/** "Cancel job", confirmed: the job stops at its next safe point (a queued one never starts). */
export function CancelJobButton({
  jobId,
  title,
  onRequested,
}: {
  jobId: number;
  title: string;
  /** Called once the cancel is accepted (the default refreshes the page). */
  onRequested?: () => void;
}) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={{ label: "Cancel job", variant: "secondary" }}
      title={`Cancel job #${jobId}`}
      tone="warning"
      confirmLabel="Cancel job"
      pendingLabel="Canceling…"
      dismissLabel="Keep it running"
      onConfirm={async () => {
        const r = await cancelJob({ jobId });
        if (!r.ok) return { error: r.error };
        (onRequested ?? (() => router.refresh()))();
      }}
    >
      <p>
        Stop <strong>{title}</strong> (job #{jobId})? It stops at its next safe point and is
        recorded as canceled. A command it runs is killed; a restore puts the database back as it
        was; a rollback already sent to the platform may go on there.
      </p>
    </ConfirmDialog>
  );
}
