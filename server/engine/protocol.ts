import "server-only";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { RunnerOptions } from "@/server/jobs/runner";

/**
 * The engine runs in three worker threads: "engine" keeps time (the scheduler and its
 * lease, uptime checks, alerting), "jobs" runs the job runner, "metrics" scrapes and
 * writes metrics (ADR 19). Next's thread serves.
 */
export type ThreadRole = "engine" | "jobs" | "metrics";

/** Knobs the tests turn; production uses the defaults. */
export type EngineOptions = {
  runner?: Pick<RunnerOptions, "pollMs" | "heartbeatMs" | "staleMs">;
  schedulerTickMs?: number;
  /** The metrics thread's HTTP client (in-process tests only: a function cannot cross threads). */
  fetch?: typeof fetch;
};

type Snapshot = {
  /** When it was taken (epoch ms). */
  at: number;
  /** The scheduler-lease holder / runner id of this thread (`host:pid:random`). */
  holder: string;
};
/** What a thread reports about itself every second. */
export type EngineSnapshot = Snapshot & { role: "engine"; leader: boolean; monitors: number };
export type JobsSnapshot = Snapshot & {
  role: "jobs";
  runningJobs: number;
  /** The job runner's last heartbeat (epoch ms). */
  runnerBeatAt: number;
  runnerHeartbeatMs: number;
};
export type MetricsSnapshot = Snapshot & {
  role: "metrics";
  /** Holds the metrics lease, so its scrape loops run. */
  leader: boolean;
  /** Replicas with a scrape loop. */
  targets: number;
  /** Series with an open chunk in memory. */
  series: number;
  /** Samples appended since the thread started. */
  samples: number;
};
export type ThreadSnapshot = EngineSnapshot | JobsSnapshot | MetricsSnapshot;

/** What runs in one thread: started once, given each new config, stopped once. */
export interface ThreadParts<S extends ThreadSnapshot> {
  start(): Promise<void>;
  applyConfig(config: OpsdeckConfig): void;
  snapshot(): S;
  stop(timeoutMs: number): Promise<void>;
}

/** What the HTTP thread hands a thread when it starts it. */
export type EngineWorkerData = {
  role: ThreadRole;
  holder: string;
  /** The config text the HTTP thread validated, parsed again there with the same environment. */
  config: { file: string; source: string } | null;
  options?: EngineOptions;
};

/** HTTP thread → engine thread. Requests with an `id` get one reply with the same id. */
export type ToEngine =
  | { type: "metrics"; id: number }
  | { type: "config"; id: number; file: string; source: string }
  | { type: "shutdown"; timeoutMs: number };

export type SerializedError = { name: string; message: string; stack?: string };

/** Engine thread → HTTP thread. */
export type FromEngine =
  | { type: "ready"; snapshot: ThreadSnapshot }
  | { type: "fatal"; message: string }
  | { type: "status"; snapshot: ThreadSnapshot }
  | { type: "metrics"; id: number; text: string }
  | { type: "config"; id: number; ok: true }
  | { type: "config"; id: number; ok: false; message: string }
  | { type: "error"; error: SerializedError; context?: Record<string, unknown> }
  | { type: "stopped" };

export function serializeError(err: unknown): SerializedError {
  return err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack }
    : { name: "Error", message: String(err) };
}
