"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ALERT_NOTE_MAX } from "@/lib/schemas/alerts";
import { ackAlert } from "@/server/actions/ack-alert";
import { ackAlertByLink } from "@/server/actions/ack-alert-by-link";

/**
 * Acknowledge with an optional note (shown on the alert's timeline and in the message
 * to the team's channel): on the alert's page by id, or from a message's link by token.
 */
export function AckForm(
  props: { alertId: number; token?: undefined } | { alertId: number; token: string },
) {
  const router = useRouter();
  const id = useId();
  const [note, setNote] = useState("");
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();
  return (
    <form
      className="flex flex-col items-start gap-2"
      data-testid="ack-form"
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          const text = note.trim() || undefined;
          const result = props.token
            ? await ackAlertByLink({ token: props.token, note: text })
            : await ackAlert({ alertId: props.alertId, note: text });
          if (!result.ok) {
            setError(result.error);
            return;
          }
          setError(undefined);
          if (props.token) router.push(`/alerts/${props.alertId}`);
          else router.refresh();
        });
      }}
    >
      <label htmlFor={id} className="text-xs text-slate-600">
        Note (optional)
      </label>
      <textarea
        id={id}
        className="block w-72 max-w-full rounded border border-slate-300 px-2 py-1 text-sm"
        rows={2}
        maxLength={ALERT_NOTE_MAX}
        placeholder="Looking at it; rolling back the last deploy"
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <Button type="submit" size="sm" variant="primary" disabled={pending}>
        {pending ? "Acknowledging…" : "Acknowledge"}
      </Button>
      {error ? (
        <span role="alert" className="max-w-72 text-xs text-red-700">
          {error}
        </span>
      ) : null}
    </form>
  );
}
