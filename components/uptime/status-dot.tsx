import type { ReplicaCounts } from "@/lib/replica-health";
import type { MonitorStatusName } from "@/lib/uptime";

export const STATUS_STYLE: Record<
  MonitorStatusName,
  { cell: string; text: string; label: string }
> = {
  up: { cell: "bg-green-50 border-green-200", text: "text-green-800", label: "up" },
  degraded: { cell: "bg-amber-50 border-amber-200", text: "text-amber-800", label: "degraded" },
  pending: { cell: "bg-amber-50 border-amber-200", text: "text-amber-800", label: "retrying" },
  late: { cell: "bg-amber-50 border-amber-200", text: "text-amber-800", label: "late" },
  down: { cell: "bg-red-50 border-red-300", text: "text-red-800", label: "down" },
  paused: { cell: "bg-slate-50 border-slate-200", text: "text-slate-500", label: "paused" },
  unknown: { cell: "bg-slate-50 border-slate-200", text: "text-slate-500", label: "no data yet" },
  new: {
    cell: "bg-slate-50 border-slate-200",
    text: "text-slate-500",
    label: "waiting for first ping",
  },
};

/** The colour of "N of M replicas up": red with one down, amber with one stale or unscraped. */
export function replicaTone(c: ReplicaCounts): string {
  if (c.down > 0) return "text-red-800";
  if (c.up < c.total) return "text-amber-800";
  return "text-green-800";
}
