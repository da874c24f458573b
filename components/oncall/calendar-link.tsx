"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { createCalendarToken } from "@/server/actions/create-calendar-token";

/** Makes a personal feed token and shows the feed URLs once (only a hash is stored). */
export function CalendarLink({ schedules, hasToken }: { schedules: string[]; hasToken: boolean }) {
  const [token, setToken] = useState<string>();
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-2 text-sm">
      <Button
        size="sm"
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await createCalendarToken({});
            if (result.ok) setToken(result.data.token);
            else setError(result.error);
          })
        }
      >
        {hasToken || token ? "Replace my calendar link" : "Create my calendar link"}
      </Button>
      {hasToken && !token ? (
        <p className="text-xs text-slate-500">
          You have a link already; replacing it stops the old one from working.
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      ) : null}
      {token ? (
        <div className="space-y-1" data-testid="calendar-urls">
          <p className="text-xs text-slate-600">
            Subscribe to these in your calendar app. This is shown once; keep it private.
          </p>
          {schedules.map((s) => (
            <code key={s} className="block break-all rounded bg-slate-100 p-2 text-xs">
              {`${window.location.origin}/api/oncall/${s}.ics?token=${token}`}
            </code>
          ))}
        </div>
      ) : null}
    </div>
  );
}
