import type { StatusUpdateStatus } from "@/lib/schemas/status";
import { worstStatus, type MonitorStatusName } from "@/lib/uptime";

/** What a public status page shows of one service: its display name and figures, nothing internal. */
export type PublicServiceState = "operational" | "degraded" | "down" | "unknown";

export type PublicDay = {
  /** The UTC day, as YYYY-MM-DD. */
  day: string;
  /** Share of the day the service was up (its worst monitor); null without data. */
  uptime: number | null;
};

export type PublicService = {
  name: string;
  description: string | null;
  state: PublicServiceState;
  uptime90d: number | null;
  days: PublicDay[];
};

export type PublicIncidentUpdate = { status: StatusUpdateStatus; message: string; at: string };

export type PublicIncident = {
  title: string;
  status: StatusUpdateStatus;
  /** Display names of the services it is about. */
  services: string[];
  startedAt: string;
  updatedAt: string;
  /** Newest first. */
  updates: PublicIncidentUpdate[];
};

export type OverallState = "operational" | "degraded" | "partial" | "major" | "unknown";

export type PublicStatusPage = {
  title: string;
  description: string | null;
  state: OverallState;
  headline: string;
  services: PublicService[];
  openIncidents: PublicIncident[];
  /** Resolved in the last RESOLVED_SHOWN_DAYS days, newest first. */
  resolvedIncidents: PublicIncident[];
  at: string;
};

export const RESOLVED_SHOWN_DAYS = 14;

/** What browsers and shared caches may do with a public status page (and its JSON). */
export const STATUS_PAGE_CACHE_CONTROL = "public, max-age=30";

/** A service's state from its monitors' statuses: the worst one, in public words. */
export function serviceState(statuses: MonitorStatusName[]): PublicServiceState {
  switch (worstStatus(statuses)) {
    case "down":
    case "late":
      return "down";
    case "pending":
    case "degraded":
      return "degraded";
    case "up":
      return "operational";
    default:
      return "unknown";
  }
}

/**
 * Statuspage's rules: every service down is a major outage, some down a partial one,
 * any degraded (none down) degraded performance; services without data do not count,
 * and a page where none has data says so rather than claim all is well.
 */
export function overallState(states: PublicServiceState[]): OverallState {
  const known = states.filter((s) => s !== "unknown");
  if (known.length === 0) return "unknown";
  const down = known.filter((s) => s === "down").length;
  if (down === known.length) return "major";
  if (down > 0) return "partial";
  if (known.includes("degraded")) return "degraded";
  return "operational";
}

export const HEADLINES: Record<OverallState, string> = {
  operational: "All systems operational",
  degraded: "Degraded performance",
  partial: "Partial outage",
  major: "Major outage",
  unknown: "Status unknown",
};

/** The worst of several monitors' figures for one window (null ones do not count). */
export function worstRatio(ratios: (number | null)[]): number | null {
  const known = ratios.filter((r): r is number => r !== null);
  return known.length ? Math.min(...known) : null;
}

type PageScope = { services: string[]; environment?: string };

/** The status pages an alert's updates appear on: those listing its service (and environment). */
export function statusPagesForAlert<P extends PageScope>(
  pages: P[],
  labels: Record<string, string>,
): P[] {
  const service = labels.service;
  if (!service) return [];
  return pages.filter(
    (p) =>
      p.services.includes(service) &&
      (!p.environment || !labels.environment || labels.environment === p.environment),
  );
}
