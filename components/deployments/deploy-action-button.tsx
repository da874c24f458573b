"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { JobProgress } from "@/components/job-progress";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { redeployDeployment } from "@/server/actions/redeploy-deployment";
import { rollbackDeployment } from "@/server/actions/rollback-deployment";

type Props = {
  action: "rollback" | "redeploy";
  deploymentId: number;
  version: string;
  liveVersion: string | null;
  environmentName: string;
  protectedEnvironment: boolean;
  /** Why it cannot be done, shown instead of the button. */
  disabledReason?: string | null;
};

/**
 * Roll back / redeploy behind a dialog that says what is live now and what will be
 * live after. One request key per dialog: a double click or a retry is one rollback.
 */
export function DeployActionButton({
  action,
  deploymentId,
  version,
  liveVersion,
  environmentName,
  protectedEnvironment,
  disabledReason,
}: Props) {
  const router = useRouter();
  const [jobId, setJobId] = useState<number>();
  const [requestKey] = useState(() => crypto.randomUUID());
  const label = action === "rollback" ? "Roll back to this version" : "Redeploy";
  if (disabledReason) {
    return (
      <span className="inline-flex flex-col text-xs text-slate-500">
        <Button size="sm" variant="secondary" disabled>
          {label}
        </Button>
        <span className="mt-1 max-w-56">{disabledReason}</span>
      </span>
    );
  }
  if (jobId)
    return <JobProgress jobId={jobId} compact canCancel onFinished={() => router.refresh()} />;
  const run = action === "rollback" ? rollbackDeployment : redeployDeployment;
  return (
    <ConfirmDialog
      trigger={{ label, variant: action === "rollback" ? "danger" : "secondary" }}
      title={label}
      tone="warning"
      confirmLabel={action === "rollback" ? "Roll back now" : "Redeploy now"}
      pendingLabel="Starting…"
      environment={{ name: environmentName, protected: protectedEnvironment }}
      onConfirm={async (confirm) => {
        const r = await run({ deploymentId, confirm, requestKey });
        if (!r.ok) return { error: r.error, job: r.job };
        setJobId(r.data.jobId);
      }}
    >
      <p>
        {environmentName}: live now <strong>{liveVersion ?? "unknown"}</strong> → after{" "}
        <strong>{version}</strong>.
      </p>
      <p>
        Opsdeck asks the platform to deploy it, waits for it to finish, then waits for the monitors
        to pass (with no active monitor, it is reported deployed, not verified).
      </p>
    </ConfirmDialog>
  );
}
