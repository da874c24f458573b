"use client";

import type { UptimeStatusView } from "@/lib/uptime-view";
import { STATUS_STYLE } from "./status-dot";
import { useMonitorStatus } from "./use-uptime-status";

/** A monitor's current status, updating live. */
export function LiveStatus({
  initial,
  monitorId,
}: {
  initial: UptimeStatusView;
  monitorId: string;
}) {
  const { monitors } = useMonitorStatus(monitorId, initial);
  const m = monitors.find((x) => x.id === monitorId);
  if (!m) return null;
  const style = STATUS_STYLE[m.status];
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm" data-testid="live-status">
      <span className={`rounded-full border px-3 py-1 font-medium ${style.cell} ${style.text}`}>
        {style.label}
      </span>
      {m.since ? (
        <span className="text-slate-600">since {m.since.slice(0, 19).replace("T", " ")} UTC</span>
      ) : null}
      {m.lastError && m.status !== "up" ? (
        <span className="text-red-700">{m.lastError}</span>
      ) : null}
    </div>
  );
}
