"use client";

import { useLiveView } from "@/components/live/live-state";
import { monitorViewKey, type MonitorListView, type MonitorViewSpec } from "@/lib/live-views";
import type { OverviewView } from "@/lib/overview";
import type { UptimeStatusView } from "@/lib/uptime-view";

/** One monitor's live status (its page's widget). */
export function useMonitorStatus(id: string, initial: UptimeStatusView): UptimeStatusView {
  return useLiveView(monitorViewKey({ kind: "one", id }), initial);
}

/** The Overview's live summary. */
export function useOverview(initial: OverviewView): OverviewView {
  return useLiveView(monitorViewKey({ kind: "overview" }), initial);
}

/** One live page of the /uptime list, for the filter and page given. */
export function useMonitorList(
  spec: Extract<MonitorViewSpec, { kind: "list" }>,
  initial: MonitorListView,
): MonitorListView {
  return useLiveView(monitorViewKey(spec), initial);
}
