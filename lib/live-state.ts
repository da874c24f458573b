import type { ActiveAlertView } from "./alerts/view";
import type { UptimeStatusView } from "./uptime-view";

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

/**
 * What GET /api/live returns and the one client cache holds: the alerts part always,
 * the monitors part only while a monitor widget is on screen (it costs a read per monitor).
 */
export type LiveState = {
  alerts: LiveAlertsView;
  uptime: UptimeStatusView | null;
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

/**
 * Folds a newly fetched live state into the cached one: a part the fetch did not ask
 * for (monitors, when no monitor widget was on screen) keeps its last known value, and
 * no part ever goes back to an older snapshot than one already shown.
 */
export function mergeLiveState(cached: LiveState | undefined, fetched: LiveState): LiveState {
  return {
    alerts: fresher(cached?.alerts, fetched.alerts)!,
    uptime: fresher(cached?.uptime, fetched.uptime),
  };
}
