"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { setOwnTimeZone } from "@/server/actions/set-own-time-zone";

const BROWSER = "";

/** Your zone: one of the runtime's IANA zones, or "my browser's" (stored as none). */
export function TimeZoneForm({
  zones,
  setting,
  browserZone,
}: {
  zones: string[];
  setting: string | null;
  browserZone: string | null;
}) {
  const router = useRouter();
  const [value, setValue] = useState(setting ?? BROWSER);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [pending, startTransition] = useTransition();

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMessage(undefined);
    startTransition(async () => {
      const result = await setOwnTimeZone({ timeZone: value === BROWSER ? null : value });
      if (result.ok) {
        setMessage({
          ok: true,
          text: `Saved: times are now shown in ${value === BROWSER ? `your browser's zone${browserZone ? ` (${browserZone})` : ""}` : value}.`,
        });
        router.refresh();
      } else setMessage({ ok: false, text: result.error });
    });
  }

  return (
    <form onSubmit={submit} aria-label="Time zone" className="space-y-3">
      <div>
        <label htmlFor="time-zone" className="block text-sm font-medium text-slate-700">
          Time zone
        </label>
        <select
          id="time-zone"
          name="timeZone"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          className="mt-1 block w-full max-w-sm rounded-md border border-slate-300 px-3 py-2 text-sm"
        >
          <option value={BROWSER}>
            My browser&apos;s zone{browserZone ? ` (${browserZone})` : ""}
          </option>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        <p className="mt-1 text-xs text-slate-500">
          Every time in Opsdeck is shown in this zone, 24-hour. On-call schedules still hand over in
          their own zone.
        </p>
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      {message ? (
        <p role="status" className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-700"}`}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
