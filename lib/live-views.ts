import type { MonitorFilter } from "./monitor-list";
import type { IncidentSummaryView, UptimeStatusView } from "./uptime-view";

/**
 * What a live monitor widget asks the one live poll for, so a tab carries what it shows
 * and nothing more: the Overview its summary, /uptime one filtered page, a monitor page
 * one monitor. ("all" is every monitor's summary, as /api/uptime/status returns it.)
 */
export type MonitorViewSpec =
  | { kind: "all" }
  | { kind: "overview" }
  | { kind: "one"; id: string }
  | { kind: "list"; filter: MonitorFilter; page: number };

/** One page of /uptime as its live poll returns it: the rows, and how many the filter kept. */
export type MonitorListView = UptimeStatusView & {
  total: number;
  /** The page shown (clamped to the last one). */
  page: number;
  /** The key of the filter and page these rows answer (monitorViewKey). */
  key: string;
  /** The newest incidents of every monitor the filter keeps (not only this page's). */
  recentIncidents: IncidentSummaryView[];
  /** Display names of the monitors in recentIncidents. */
  incidentNames: Record<string, string>;
};

/** How many incidents the list shows under its table. */
export const LIST_RECENT_INCIDENTS = 30;

/** How many views one poll may ask for, and how long a key may be. */
export const MAX_LIVE_VIEWS = 4;
const MAX_KEY_LENGTH = 600;
const FILTER_KEYS = ["environment", "service", "status", "q"] as const;

/** The view's key: the cache key on the client and the query value on the wire. */
export function monitorViewKey(v: MonitorViewSpec): string {
  switch (v.kind) {
    case "all":
    case "overview":
      return v.kind;
    case "one":
      return `one:${v.id}`;
    case "list": {
      const q = new URLSearchParams();
      for (const k of FILTER_KEYS) if (v.filter[k]) q.set(k, v.filter[k]);
      if (v.page > 1) q.set("page", String(v.page));
      return `list:${q}`;
    }
  }
}

/** A key back into its view; a message saying what is wrong for anything else. */
export function parseMonitorViewKey(key: string): MonitorViewSpec | { error: string } {
  if (key.length > MAX_KEY_LENGTH)
    return { error: `a view key is at most ${MAX_KEY_LENGTH} characters` };
  if (key === "all" || key === "1") return { kind: "all" };
  if (key === "overview") return { kind: "overview" };
  if (key.startsWith("one:")) {
    const id = key.slice(4);
    if (!id || id.length > 200) return { error: "one:<monitor id> needs a monitor id" };
    return { kind: "one", id };
  }
  if (key.startsWith("list:")) {
    const q = new URLSearchParams(key.slice(5));
    for (const name of q.keys()) {
      if (name !== "page" && !(FILTER_KEYS as readonly string[]).includes(name)) {
        return { error: `list: unknown filter "${name.slice(0, 40)}"` };
      }
    }
    const raw = q.get("page");
    const page = raw === null ? 1 : Number(raw);
    if (!Number.isInteger(page) || page < 1 || page > 1_000_000) {
      return { error: "list: page is a whole number from 1" };
    }
    const filter = Object.fromEntries(
      FILTER_KEYS.map((k) => [k, (q.get(k) ?? "").trim().slice(0, 200)]),
    ) as MonitorFilter;
    return { kind: "list", filter, page };
  }
  return {
    error: `unknown view "${key.slice(0, 40)}": expected all, overview, one:<id>, list:<filters>, replicas:<filters> or replica-summary:<filters>`,
  };
}

/**
 * The views a poll asks for, as one query value: each key is URL-encoded, so "," can
 * separate them (the value is URL-encoded again on the wire, as any query value).
 */
export function joinViewKeys(keys: string[]): string {
  return keys.map(encodeURIComponent).join(",");
}

export function splitViewKeys(value: string): string[] {
  return value
    .split(",")
    .filter(Boolean)
    .map((k) => {
      try {
        return decodeURIComponent(k);
      } catch {
        return k;
      }
    });
}
