"use client";

import { useState, useTransition } from "react";
import { StartJobButton } from "@/components/start-job-button";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";
import { reloadConfigAction } from "@/server/actions/reload-config";
import { sendSentryTest } from "@/server/actions/send-sentry-test";

function Outcome({ result }: { result?: ActionResult<unknown> & { message?: string } }) {
  if (!result) return null;
  if (result.ok) return <p className="text-sm text-green-800">{result.message}</p>;
  return (
    <div role="alert" className="text-sm text-red-700">
      {result.error}
      {result.issues?.length ? (
        <ul className="mt-1 list-disc pl-5 font-mono text-xs">
          {result.issues.map((i) => (
            <li key={`${i.path}${i.message}`}>
              {i.path}: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function AdminSystemActions() {
  const [pending, startTransition] = useTransition();
  const [reload, setReload] = useState<ActionResult<unknown> & { message?: string }>();
  const [sentry, setSentry] = useState<ActionResult<unknown> & { message?: string }>();
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 lg:col-span-2">
      <h2 className="font-semibold">Admin actions</h2>
      <div className="flex flex-wrap items-start gap-6">
        <div className="space-y-2">
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                const r = await reloadConfigAction({});
                setReload(
                  r.ok
                    ? {
                        ...r,
                        message: `Reloaded ${r.data.environments} environments and ${r.data.services} services.`,
                      }
                    : r,
                );
              })
            }
          >
            Reload config
          </Button>
          <Outcome result={reload} />
        </div>
        <div className="space-y-2">
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                const r = await sendSentryTest({});
                setSentry(r.ok ? { ...r, message: `Sent event ${r.data.eventId}.` } : r);
              })
            }
          >
            Send test error to Sentry
          </Button>
          <Outcome result={sentry} />
        </div>
        <StartJobButton kind="db.maintenance" label="Run database maintenance" />
      </div>
    </section>
  );
}
