import "server-only";
import type { MonitorStatus } from "@/server/db/schema";
import type { ProbeResult } from "./probes/types";

/** What the engine remembers about a monitor between checks (mirrors monitor_state). */
export type MonitorMemory = {
  status: MonitorStatus;
  consecutiveFailures: number;
  failingSince: number | null;
  /** The error of the first failed check in the current run: the incident's cause. */
  firstError: string | null;
  incidentOpen: boolean;
};

export type Transition = {
  next: MonitorMemory;
  /** The check failed but is within the retry budget. */
  retrying: boolean;
  incident:
    | { open: { openedAt: number; cause: string } }
    | { close: { closedAt: number } }
    | { update: { error: string } }
    | null;
  /** When to check again: soon while retrying, else on the normal interval. */
  retrySoon: boolean;
};

/**
 * Applies one check result. A failure is retried `retries` times before the monitor
 * is down; down opens an incident (dated from the first failed check) unless a
 * maintenance window covers it; the first good check closes it.
 */
export function applyResult(
  prev: MonitorMemory,
  result: Pick<ProbeResult, "status" | "error">,
  opts: { retries: number; at: number; inMaintenance: boolean },
): Transition {
  if (result.status !== "down") {
    return {
      next: {
        status: result.status,
        consecutiveFailures: 0,
        failingSince: null,
        firstError: null,
        incidentOpen: false,
      },
      retrying: false,
      incident: prev.incidentOpen ? { close: { closedAt: opts.at } } : null,
      retrySoon: false,
    };
  }
  const failures = prev.consecutiveFailures + 1;
  const failingSince = prev.failingSince ?? opts.at;
  const error = result.error ?? "check failed";
  const firstError = prev.firstError ?? error;
  if (failures <= opts.retries) {
    return {
      next: {
        status: "pending",
        consecutiveFailures: failures,
        failingSince,
        firstError,
        incidentOpen: prev.incidentOpen,
      },
      retrying: true,
      incident: prev.incidentOpen ? { update: { error } } : null,
      retrySoon: true,
    };
  }
  const next: MonitorMemory = {
    status: "down",
    consecutiveFailures: failures,
    failingSince,
    firstError,
    incidentOpen: prev.incidentOpen,
  };
  if (prev.incidentOpen)
    return { next, retrying: false, incident: { update: { error } }, retrySoon: false };
  if (opts.inMaintenance) return { next, retrying: false, incident: null, retrySoon: false };
  next.incidentOpen = true;
  return {
    next,
    retrying: false,
    incident: { open: { openedAt: failingSince, cause: firstError } },
    retrySoon: false,
  };
}
