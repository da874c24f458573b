"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { setMonitorPaused } from "@/server/actions/set-monitor-paused";

export function PauseButton({ monitorId, paused }: { monitorId: string; paused: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string>();
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await setMonitorPaused({ monitorId, paused: !paused });
            if (result.ok) {
              setError(undefined);
              router.refresh();
            } else setError(result.error);
          })
        }
      >
        {paused ? "Resume checks" : "Pause checks"}
      </Button>
      {error ? (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
