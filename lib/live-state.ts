import type { ActiveAlertView } from "./alerts/view";

/** How many of the newest firing alerts the live state carries (the Overview's card shows them). */
export const LIVE_NEWEST_ALERTS = 6;

/** How often a tab asks for the live state while it is visible. */
export const LIVE_INTERVAL_MS = 5_000;

/** Firing alerts, as the navigation count and the Overview's card show them. */
export type LiveAlertsView = {
  at: string;
  firing: { total: number; critical: number; warning: number; info: number };
  /** The newest firing alerts, newest first, at most LIVE_NEWEST_ALERTS. */
  newest: ActiveAlertView[];
  /**
   * Changes whenever an alert changes state, is acknowledged or resolved, or a silence
   * starts, ends or is added: pages rendered on the server refresh when it does.
   */
  version: string;
};

/** One monitor view as a poll read it (lib/live-views.ts says which views there are). */
export type LiveView = { at: string };

/**
 * What GET /api/live returns and the one client cache holds: the alerts part always,
 * and the monitor views the widgets on screen asked for, by key (each costs reads, and
 * a tab carries only what it shows).
 */
export type LiveState = {
  alerts: LiveAlertsView;
  views: Record<string, LiveView>;
};

/** The fresher of two snapshots of one part of the live state (each says when it was read). */
export function fresher<T extends { at: string }>(
  a: T | null | undefined,
  b: T | null | undefined,
): T | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(b.at) > Date.parse(a.at) ? b : a;
}

/** How many views the cache keeps: those on screen now and a few a tab went back from. */
const KEPT_VIEWS = 8;

/**
 * Folds a newly fetched live state into the cached one: a view the fetch did not ask
 * for keeps its last known value (a few are kept, newest first), and no part ever goes
 * back to an older snapshot than one already shown.
 */
export function mergeLiveState(cached: LiveState | undefined, fetched: LiveState): LiveState {
  const views: Record<string, LiveView> = {};
  for (const [key, view] of Object.entries(fetched.views)) {
    views[key] = fresher(cached?.views[key], view)!;
  }
  for (const [key, view] of Object.entries(cached?.views ?? {})) {
    if (Object.keys(views).length >= KEPT_VIEWS) break;
    views[key] ??= view;
  }
  return { alerts: fresher(cached?.alerts, fetched.alerts)!, views };
}
