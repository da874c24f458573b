"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { createOncallOverride } from "@/server/actions/create-oncall-override";

/** Put someone else on call for a time range (times in the browser's time zone). */
export function OverrideForm({ scheduleId, people }: { scheduleId: string; people: string[] }) {
  const router = useRouter();
  const [person, setPerson] = useState(people[0] ?? "");
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();
  const iso = (local: string) => (local ? new Date(local).toISOString() : "");
  return (
    <form
      aria-label={`Override ${scheduleId}`}
      className="flex flex-wrap items-end gap-3 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          const result = await createOncallOverride({
            scheduleId,
            person,
            startsAt: iso(start),
            endsAt: iso(end),
            reason: reason.trim() || undefined,
          });
          if (result.ok) {
            setError(undefined);
            setReason("");
            router.refresh();
          } else setError(result.error);
        });
      }}
    >
      <label>
        Person
        <input
          name="person"
          list={`people-${scheduleId}`}
          required
          className="mt-1 block w-56 rounded border border-slate-300 px-2 py-1 text-sm"
          value={person}
          onChange={(e) => setPerson(e.target.value)}
        />
        <datalist id={`people-${scheduleId}`}>
          {people.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
      </label>
      <label>
        From (your time)
        <input
          type="datetime-local"
          name="start"
          required
          className="mt-1 block rounded border border-slate-300 px-2 py-1 text-sm"
          value={start}
          onChange={(e) => setStart(e.target.value)}
        />
      </label>
      <label>
        Until
        <input
          type="datetime-local"
          name="end"
          required
          className="mt-1 block rounded border border-slate-300 px-2 py-1 text-sm"
          value={end}
          onChange={(e) => setEnd(e.target.value)}
        />
      </label>
      <label>
        Reason
        <input
          name="reason"
          maxLength={500}
          className="mt-1 block w-48 rounded border border-slate-300 px-2 py-1 text-sm"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      <Button size="sm" type="submit" disabled={pending}>
        {pending ? "Saving…" : "Add override"}
      </Button>
      {error ? (
        <p role="alert" className="basis-full text-red-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
