"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { parseZonedDateTimeLocal } from "@/lib/oncall/rotation";
import { createOncallOverride } from "@/server/actions/create-oncall-override";

/**
 * Put someone else on call for a time range. Typed times are read in the viewer's zone
 * (the one every time on the page is shown in), not the browser's, so what you type is
 * what the table then shows.
 */
export function OverrideForm({
  scheduleId,
  scheduleName,
  people,
  timeZone,
}: {
  scheduleId: string;
  scheduleName: string;
  /** The roster: emails (what is stored) with the names people know. */
  people: { email: string; name: string }[];
  timeZone: string;
}) {
  const router = useRouter();
  const [person, setPerson] = useState(people[0]?.email ?? "");
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();
  const iso = (local: string) => parseZonedDateTimeLocal(local, timeZone)?.toISOString() ?? "";
  return (
    <form
      aria-label={`Override ${scheduleName}`}
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
            <option key={p.email} value={p.email} label={p.name} />
          ))}
        </datalist>
      </label>
      <label>
        From ({timeZone})
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
        Until ({timeZone})
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
