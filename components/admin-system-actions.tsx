"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { AuditArchiveForm } from "@/components/audit-archive-form";
import { StartJobButton } from "@/components/start-job-button";
import { Button } from "@/components/ui/button";
import type { ActionIssue, ActionResult } from "@/lib/action-result";
import { reloadConfigAction } from "@/server/actions/reload-config";
import { sendSentryTest } from "@/server/actions/send-sentry-test";

type Outcome = { ok: true; message: string } | { ok: false; error: string; issues?: ActionIssue[] };

/** A button that runs one action and shows what came of it underneath. */
function ActionButton<T>({
  label,
  run,
  describe,
}: {
  label: string;
  run: () => Promise<ActionResult<T>>;
  describe: (data: T) => string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [outcome, setOutcome] = useState<Outcome>();
  return (
    <div className="space-y-2">
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const r = await run();
            // What the page shows of it (the config's load time, say) is read again.
            if (r.ok) router.refresh();
            setOutcome(
              r.ok
                ? { ok: true, message: describe(r.data) }
                : { ok: false, error: r.error, issues: r.issues },
            );
          })
        }
      >
        {label}
      </Button>
      {outcome?.ok ? <p className="text-sm text-green-800">{outcome.message}</p> : null}
      {outcome && !outcome.ok ? (
        <div role="alert" className="text-sm text-red-700">
          {outcome.error}
          {outcome.issues?.length ? (
            <ul className="mt-1 list-disc pl-5 font-mono text-xs">
              {outcome.issues.map((i) => (
                <li key={`${i.path}${i.message}`}>
                  {i.path}: {i.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function AdminSystemActions({ auditArchiveDays }: { auditArchiveDays: number }) {
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 lg:col-span-2">
      <h2 className="font-semibold">Admin actions</h2>
      <div className="flex flex-wrap items-start gap-6">
        <ActionButton
          label="Reload config"
          run={() => reloadConfigAction({})}
          describe={(d) => `Reloaded ${d.environments} environments and ${d.services} services.`}
        />
        <ActionButton
          label="Send test error to Sentry"
          run={() => sendSentryTest({})}
          describe={(d) => `Sent event ${d.eventId}.`}
        />
        <StartJobButton kind="db.maintenance" label="Run database maintenance" />
        <AuditArchiveForm defaultDays={auditArchiveDays} />
      </div>
    </section>
  );
}
