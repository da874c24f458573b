"use client";

import { useLiveUptime } from "@/components/live/live-state";
import type { UptimeStatusView } from "@/lib/uptime-view";

/** Every monitor's status from the one live cache (starts from the server's render). */
export function useUptimeStatus(initial: UptimeStatusView) {
  return useLiveUptime(initial);
}
