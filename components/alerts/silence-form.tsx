"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { parseMatcher } from "@/lib/alerts/matchers";
import { createSilence } from "@/server/actions/create-silence";

const DURATIONS = [
  ["1h", 3_600_000],
  ["2h", 7_200_000],
  ["4h", 14_400_000],
  ["1 day", 86_400_000],
  ["1 week", 604_800_000],
] as const;

/**
 * A silence: one matcher per line, a duration and a reason. From an alert, the
 * matchers are prefilled with its labels, so one click plus a reason silences it.
 */
export function SilenceForm({
  initialMatchers = [],
  compact = false,
}: {
  initialMatchers?: string[];
  compact?: boolean;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(!compact);
  const [matchers, setMatchers] = useState(initialMatchers.join("\n"));
  const [duration, setDuration] = useState<number>(7_200_000);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<number>();
  const [pending, startTransition] = useTransition();
  if (!open)
    return (
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)}>
        Silence
      </Button>
    );
  const lines = matchers
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const problem = lines.map((l) => parseMatcher(l)).find((p) => typeof p === "string");
  return (
    <form
      aria-label="Create silence"
      className={`space-y-2 rounded-md border border-slate-300 bg-white p-3 text-xs ${compact ? "w-80 max-w-full shadow" : "max-w-xl"}`}
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          const result = await createSilence({
            matchers: lines,
            endsAt: new Date(Date.now() + duration).toISOString(),
            comment,
          });
          if (result.ok) {
            setError(undefined);
            setDone(result.data.silenceId);
            if (compact) setOpen(false);
            router.refresh();
          } else setError(result.error);
        });
      }}
    >
      <label className="block">
        Matchers, one per line (label=value, label=~regex, label!=value)
        <textarea
          name="matchers"
          rows={Math.max(2, lines.length)}
          className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono"
          value={matchers}
          onChange={(e) => setMatchers(e.target.value)}
        />
      </label>
      {problem ? <p className="text-amber-700">{problem}</p> : null}
      <label className="block">
        For
        <select
          name="duration"
          className="mt-1 block rounded border border-slate-300 px-2 py-1"
          value={duration}
          onChange={(e) => setDuration(Number(e.target.value))}
        >
          {DURATIONS.map(([label, ms]) => (
            <option key={ms} value={ms}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="block">
        Reason
        <input
          name="comment"
          required
          minLength={3}
          maxLength={500}
          className="mt-1 block w-full rounded border border-slate-300 px-2 py-1"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </label>
      {error ? (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      ) : null}
      {done && !compact ? <p className="text-green-700">Silence #{done} created.</p> : null}
      <div className="flex gap-2">
        <Button size="sm" type="submit" disabled={pending}>
          {pending ? "Silencing…" : "Create silence"}
        </Button>
        {compact ? (
          <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
