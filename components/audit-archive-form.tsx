"use client";

import { useState } from "react";
import { StartJobButton } from "@/components/start-job-button";

/** Archive audit rows older than a number of days: exported, checkpointed, then pruned. */
export function AuditArchiveForm({ defaultDays }: { defaultDays: number }) {
  const [days, setDays] = useState(String(defaultDays));
  const parsed = Number(days);
  const valid = days.trim() !== "" && Number.isInteger(parsed) && parsed >= 0;
  return (
    <div className="flex items-end gap-2">
      <label className="text-sm">
        <span className="block text-slate-600">Archive audit rows older than (days)</span>
        <input
          type="number"
          min={0}
          max={36500}
          value={days}
          onChange={(e) => setDays(e.target.value)}
          className="mt-1 w-28 rounded-md border border-slate-300 px-2 py-1.5"
        />
      </label>
      <StartJobButton
        kind="audit.archive"
        label="Archive audit log"
        archive={valid ? { olderThanDays: parsed } : undefined}
        disabled={!valid}
      />
    </div>
  );
}
