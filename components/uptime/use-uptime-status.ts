"use client";

import { useQuery } from "@tanstack/react-query";
import type { UptimeStatusView } from "@/lib/uptime-view";

/** Every monitor's status, refreshed every 5 s while the page is open (starts from the server's render). */
export function useUptimeStatus(initial: UptimeStatusView) {
  return useQuery({
    queryKey: ["uptime-status"],
    queryFn: async (): Promise<UptimeStatusView> => {
      const res = await fetch("/api/uptime/status", { cache: "no-store" });
      if (!res.ok) throw new Error(`status ${res.status}`);
      return res.json();
    },
    initialData: initial,
    refetchInterval: 5_000,
    refetchIntervalInBackground: false,
  }).data;
}
