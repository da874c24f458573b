"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { JobProgress } from "@/components/job-progress";
import { EnvironmentConfirm } from "@/components/environment-confirm";
import { Button } from "@/components/ui/button";
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
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string>();
  const [jobId, setJobId] = useState<number>();
  const [requestKey] = useState(() => crypto.randomUUID());
  const [pending, startTransition] = useTransition();
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
  if (jobId) return <JobProgress jobId={jobId} compact onFinished={() => router.refresh()} />;
  if (!open) {
    return (
      <Button
        size="sm"
        variant={action === "rollback" ? "danger" : "secondary"}
        onClick={() => setOpen(true)}
      >
        {label}
      </Button>
    );
  }
  const run = action === "rollback" ? rollbackDeployment : redeployDeployment;
  return (
    <div
      role="dialog"
      aria-label={label}
      className="w-80 space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-xs"
    >
      <p>
        {environmentName}: live now <strong>{liveVersion ?? "unknown"}</strong> → after{" "}
        <strong>{version}</strong>.
      </p>
      <p>
        Opsdeck asks the platform to deploy it, waits for it to finish, then waits for the monitors
        to pass.
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
              const r = await run({ deploymentId, confirm: typed || undefined, requestKey });
              if (r.ok) setJobId(r.data.jobId);
              else setError(r.error);
            })
          }
        >
          {pending ? "Starting…" : action === "rollback" ? "Roll back now" : "Redeploy now"}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
