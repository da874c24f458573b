"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef } from "react";
import {
  fresher,
  LIVE_INTERVAL_MS,
  mergeLiveState,
  type LiveAlertsView,
  type LiveState,
} from "@/lib/live-state";
import type { UptimeStatusView } from "@/lib/uptime-view";

const LIVE_KEY = ["live-state"] as const;

type LiveContext = {
  state: LiveState;
  /** A monitor widget is on screen: the polls ask for monitors until the returned function runs. */
  wantMonitors(): () => void;
};

const Context = createContext<LiveContext | null>(null);

/**
 * The one client cache of the live state, and the only timer that refreshes it: one
 * request to /api/live every few seconds while the tab is visible (TanStack Query pauses
 * it in a hidden tab and fetches at once when the tab is shown again). Every live widget,
 * the navigation's alert count included, reads from here; none keeps its own timer.
 * `initial` is the layout's server render, so the first paint is already current.
 */
export function LiveStateProvider({
  initial,
  children,
}: {
  initial: LiveAlertsView;
  children: React.ReactNode;
}) {
  const client = useQueryClient();
  const monitorWidgets = useRef(0);
  const { data } = useQuery({
    queryKey: LIVE_KEY,
    queryFn: async (): Promise<LiveState> => {
      const res = await fetch(`/api/live?monitors=${monitorWidgets.current > 0 ? 1 : 0}`, {
        cache: "no-store",
      });
      if (!res.ok) throw new Error(`live state: HTTP ${res.status}`);
      return mergeLiveState(client.getQueryData<LiveState>(LIVE_KEY), await res.json());
    },
    initialData: { alerts: initial, uptime: null },
    // The server render is current when the page arrives; the first poll follows the interval.
    initialDataUpdatedAt: () => Date.parse(initial.at),
    refetchInterval: LIVE_INTERVAL_MS,
    refetchIntervalInBackground: false,
    staleTime: LIVE_INTERVAL_MS / 2,
  });
  const wantMonitors = useCallback(() => {
    monitorWidgets.current++;
    return () => {
      monitorWidgets.current--;
    };
  }, []);
  const value = useMemo(() => ({ state: data, wantMonitors }), [data, wantMonitors]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

function useLive(): LiveContext {
  const live = useContext(Context);
  if (!live) throw new Error("a live widget outside LiveStateProvider");
  return live;
}

/** The firing alerts, as of the last poll. */
export function useLiveAlerts(): LiveAlertsView {
  return useLive().state.alerts;
}

/**
 * Every monitor's status: the page's own server render (`initial`) until a poll brings
 * something newer. While a component using this is mounted, the polls include monitors.
 */
export function useLiveUptime(initial: UptimeStatusView): UptimeStatusView {
  const { state, wantMonitors } = useLive();
  useEffect(() => wantMonitors(), [wantMonitors]);
  return fresher(initial, state.uptime)!;
}
