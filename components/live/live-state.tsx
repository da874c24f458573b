"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef } from "react";
import {
  fresher,
  LIVE_INTERVAL_MS,
  mergeLiveState,
  type LiveAlertsView,
  type LiveState,
  type LiveView,
} from "@/lib/live-state";
import { joinViewKeys, MAX_LIVE_VIEWS } from "@/lib/live-views";

const LIVE_KEY = ["live-state"] as const;

type LiveContext = {
  state: LiveState;
  /** A widget showing view `key` is on screen: the polls ask for it until the returned function runs. */
  want(key: string): () => void;
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
  const wanted = useRef(new Map<string, number>());
  const { data } = useQuery({
    queryKey: LIVE_KEY,
    queryFn: async (): Promise<LiveState> => {
      // The views on screen, newest first (a page being left may still be mounted).
      const keys = [...wanted.current.keys()].reverse().slice(0, MAX_LIVE_VIEWS);
      const query = keys.length ? `?views=${encodeURIComponent(joinViewKeys(keys))}` : "";
      const res = await fetch(`/api/live${query}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`live state: HTTP ${res.status}`);
      return mergeLiveState(client.getQueryData<LiveState>(LIVE_KEY), await res.json());
    },
    initialData: { alerts: initial, views: {} },
    // The server render is current when the page arrives; the first poll follows the interval.
    initialDataUpdatedAt: () => Date.parse(initial.at),
    refetchInterval: LIVE_INTERVAL_MS,
    refetchIntervalInBackground: false,
    staleTime: LIVE_INTERVAL_MS / 2,
  });
  const want = useCallback((key: string) => {
    const widgets = wanted.current;
    const n = widgets.get(key) ?? 0;
    widgets.delete(key); // re-inserted last: the newest view is asked for first
    widgets.set(key, n + 1);
    return () => {
      const left = (widgets.get(key) ?? 1) - 1;
      if (left > 0) widgets.set(key, left);
      else widgets.delete(key);
    };
  }, []);
  const value = useMemo(() => ({ state: data, want }), [data, want]);
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
 * A monitor view (lib/live-views.ts): the page's own server render (`initial`) until a
 * poll brings a newer read of the same view. While a component using this is mounted,
 * the polls ask for `key`.
 */
export function useLiveView<T extends LiveView>(key: string, initial: T): T {
  const { state, want } = useLive();
  useEffect(() => want(key), [want, key]);
  return fresher(initial, state.views[key] as T | undefined)!;
}
