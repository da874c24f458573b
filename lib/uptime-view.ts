import type { MonitorStatusName } from "./uptime";

/** What the live endpoint returns and the live components render. */
export type MonitorSummaryView = {
  id: string;
  name: string;
  type: "http" | "tcp" | "tls" | "heartbeat";
  service: string;
  environment: string;
  badge: boolean;
  status: MonitorStatusName;
  since: string | null;
  lastCheckAt: string | null;
  lastResponseMs: number | null;
  lastError: string | null;
  tlsDaysLeft: number | null;
  /** Time-weighted uptime per window (windowUptime): every page and the badge show these. */
  uptime: { "24h": number | null; "7d": number | null; "30d": number | null; "90d": number | null };
  /** Per window: the first check (ISO) when the monitor is younger than the window, else null. */
  uptimeSince: {
    "24h": string | null;
    "7d": string | null;
    "30d": string | null;
    "90d": string | null;
  };
  p95Ms24h: number | null;
};

export type IncidentSummaryView = {
  id: number;
  monitorId: string;
  openedAt: string;
  closedAt: string | null;
  durationMs: number;
  cause: string;
  lastError: string | null;
  failedChecks: number;
};

export type UptimeStatusView = {
  monitors: MonitorSummaryView[];
  incidents: IncidentSummaryView[];
  at: string;
};
