import { worstStatus, type MonitorStatusName } from "./uptime";
import type { IncidentSummaryView, MonitorSummaryView } from "./uptime-view";

/** One service × environment square of the Overview: its worst monitor and a summary. */
export type OverviewCell = {
  worst: MonitorStatusName;
  monitors: number;
  /** The lowest 24 h uptime of its monitors; null when none has one. */
  uptime24h: number | null;
  /** The slowest last response of its probed monitors (a heartbeat's run time is no latency). */
  latencyMs: number | null;
};

export type OverviewMonitor = Pick<
  MonitorSummaryView,
  "id" | "name" | "service" | "environment" | "status" | "lastError"
>;

/** What the Overview renders: summaries, never one row per monitor. */
export type OverviewView = {
  at: string;
  incidents: IncidentSummaryView[];
  /** Keyed `${service}/${environment}`; absent when no monitor watches that pair. */
  cells: Record<string, OverviewCell>;
  counts: Partial<Record<MonitorStatusName, number>>;
  /** Monitors neither up nor paused, worst first, at most OVERVIEW_NOT_UP. */
  notUp: OverviewMonitor[];
  notUpTotal: number;
  /** Name, service and environment of the monitors with an open incident. */
  incidentMonitors: Record<string, OverviewMonitor>;
};

export const OVERVIEW_NOT_UP = 20;

const RANK: MonitorStatusName[] = [
  "down",
  "late",
  "pending",
  "degraded",
  "unknown",
  "new",
  "up",
  "paused",
];

const brief = (m: MonitorSummaryView): OverviewMonitor => ({
  id: m.id,
  name: m.name,
  service: m.service,
  environment: m.environment,
  status: m.status,
  lastError: m.lastError,
});

export const cellKey = (service: string, environment: string) => `${service}/${environment}`;

/** The Overview of every monitor: the same figures the grid showed from the full list. */
export function overviewOf(status: {
  monitors: MonitorSummaryView[];
  incidents: IncidentSummaryView[];
  at: string;
}): OverviewView {
  const groups = new Map<string, MonitorSummaryView[]>();
  const counts: Partial<Record<MonitorStatusName, number>> = {};
  for (const m of status.monitors) {
    const key = cellKey(m.service, m.environment);
    groups.set(key, [...(groups.get(key) ?? []), m]);
    counts[m.status] = (counts[m.status] ?? 0) + 1;
  }
  const cells: Record<string, OverviewCell> = {};
  for (const [key, cell] of groups) {
    const uptimes = cell.map((m) => m.uptime["24h"]).filter((u): u is number => u !== null);
    const latency = cell
      .filter((m) => m.type !== "heartbeat")
      .map((m) => m.lastResponseMs)
      .filter((v): v is number => v !== null);
    cells[key] = {
      worst: worstStatus(cell.map((m) => m.status))!,
      monitors: cell.length,
      uptime24h: uptimes.length ? Math.min(...uptimes) : null,
      latencyMs: latency.length ? Math.max(...latency) : null,
    };
  }
  const notUp = status.monitors
    .filter((m) => m.status !== "up" && m.status !== "paused")
    .sort((a, b) => RANK.indexOf(a.status) - RANK.indexOf(b.status));
  const byId = new Map(status.monitors.map((m) => [m.id, m]));
  const incidentMonitors: Record<string, OverviewMonitor> = {};
  for (const i of status.incidents) {
    const m = byId.get(i.monitorId);
    if (m) incidentMonitors[m.id] = brief(m);
  }
  return {
    at: status.at,
    incidents: status.incidents,
    cells,
    counts,
    notUp: notUp.slice(0, OVERVIEW_NOT_UP).map(brief),
    notUpTotal: notUp.length,
    incidentMonitors,
  };
}
