import "server-only";
import { Cron } from "croner";
import type { MaintenanceWindowConfig, MonitorConfig } from "@/server/config/schema";

export type MaintenanceMatcher = (
  monitor: Pick<MonitorConfig, "id" | "service" | "environment">,
  at: number,
) => boolean;

function covers(
  w: MaintenanceWindowConfig,
  m: Pick<MonitorConfig, "id" | "service" | "environment">,
): boolean {
  if (w.monitors.length + w.services.length + w.environments.length === 0) return true;
  return (
    w.monitors.includes(m.id) ||
    w.services.includes(m.service) ||
    w.environments.includes(m.environment)
  );
}

/**
 * Whether a maintenance window covers a monitor at a time. One-off windows are
 * [start, end); recurring ones start on their cron (in their time zone, so a
 * "02:00 local" window follows daylight saving) and last `duration`.
 */
export function maintenanceMatcher(windows: MaintenanceWindowConfig[]): MaintenanceMatcher {
  const compiled = windows.map((w) => ({
    w,
    start: w.start ? Date.parse(w.start) : null,
    end: w.end ? Date.parse(w.end) : null,
    cron: w.cron ? new Cron(w.cron, { timezone: w.timeZone, paused: true }) : null,
  }));
  return (monitor, at) =>
    compiled.some(({ w, start, end, cron }) => {
      if (!covers(w, monitor)) return false;
      if (start !== null && end !== null) return at >= start && at < end;
      const began = cron?.previousRuns(1, new Date(at + 1))[0];
      return began !== undefined && at < began.getTime() + w.duration!;
    });
}
