"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { LIVE_INTERVAL_MS } from "@/lib/live-state";
import { useLiveAlerts } from "./live-state";

/**
 * Re-renders a server-rendered page from the one live cache, never from a timer of its
 * own: when the alerts change (`on="alerts"`), or once a poll of the live state is at
 * least `everySeconds` newer than the last refresh (for pages whose content moves with
 * the clock or with deliveries: on-call hand-offs, a channel's outbox).
 */
export function LiveRefresh({ on, everySeconds }: { on?: "alerts"; everySeconds?: number }) {
  const router = useRouter();
  const alerts = useLiveAlerts();
  const seen = useRef({ version: alerts.version, at: Date.parse(alerts.at) });
  useEffect(() => {
    const at = Date.parse(alerts.at);
    const changed = on === "alerts" && alerts.version !== seen.current.version;
    // Polls are an interval apart give or take; half an interval of slack keeps "every 5 s" at every poll.
    const due =
      everySeconds !== undefined &&
      at - seen.current.at >= everySeconds * 1000 - LIVE_INTERVAL_MS / 2;
    if (!changed && !due) return;
    seen.current = { version: alerts.version, at };
    router.refresh();
  }, [alerts, on, everySeconds, router]);
  return null;
}
