"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ALERT_NOTE_MAX } from "@/lib/schemas/alerts";
import { resolveAlert } from "@/server/actions/resolve-alert";

/** Resolve by hand, saying whether it was a false positive (that feeds the rule's figures). */
export function ResolveButton({ alertId }: { alertId: number }) {
  const router = useRouter();
  const [falsePositive, setFalsePositive] = useState(false);
  const [note, setNote] = useState("");
  return (
    <ConfirmDialog
      trigger={{ label: "Resolve", variant: "secondary" }}
      title="Resolve alert"
      tone="neutral"
      confirmLabel="Resolve"
      pendingLabel="Resolving…"
      onConfirm={async () => {
        const result = await resolveAlert({
          alertId,
          falsePositive,
          note: note.trim() || undefined,
        });
        if (!result.ok) return { error: result.error };
        router.refresh();
      }}
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
          maxLength={ALERT_NOTE_MAX}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
    </ConfirmDialog>
  );
}
