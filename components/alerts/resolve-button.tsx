"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { resolveAlert } from "@/server/actions/resolve-alert";

/** Resolve by hand, saying whether it was a false positive (that feeds the rule's figures). */
export function ResolveButton({ alertId }: { alertId: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [falsePositive, setFalsePositive] = useState(false);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();
  if (!open)
    return (
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)}>
        Resolve
      </Button>
    );
  return (
    <div
      role="dialog"
      aria-label="Resolve alert"
      className="w-72 space-y-2 rounded-md border border-slate-300 bg-white p-3 text-xs shadow"
    >
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={falsePositive}
          onChange={(e) => setFalsePositive(e.target.checked)}
        />
        False positive (nothing was wrong)
      </label>
      <label className="block">
        Note (optional)
        <input
          className="mt-1 block w-full rounded border border-slate-300 px-2 py-1"
          value={note}
          maxLength={500}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      {error ? (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button
          size="sm"
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              const result = await resolveAlert({
                alertId,
                falsePositive,
                note: note.trim() || undefined,
              });
              if (result.ok) {
                setOpen(false);
                router.refresh();
              } else setError(result.error);
            })
          }
        >
          {pending ? "Resolving…" : "Resolve"}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
