"use client";

import { ActionButton } from "@/components/action-button";
import { setMonitorPaused } from "@/server/actions/set-monitor-paused";

export function PauseButton({ monitorId, paused }: { monitorId: string; paused: boolean }) {
  return (
    <ActionButton
      action={setMonitorPaused}
      input={{ monitorId, paused: !paused }}
      label={paused ? "Resume checks" : "Pause checks"}
    />
  );
}
