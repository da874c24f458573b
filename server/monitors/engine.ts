import "server-only";
import type {
  HeartbeatMonitorConfig,
  MaintenanceWindowConfig,
  MonitorConfig,
} from "@/server/config/schema";
import type { Db } from "@/server/db";
import { monitorState } from "@/server/db/schema";
import { evaluateHeartbeat } from "./heartbeat";
import { maintenanceMatcher, type MaintenanceMatcher } from "./maintenance";
import { probeHttp } from "./probes/http";
import { probeTcp } from "./probes/tcp";
import { probeTls } from "./probes/tls";
import type { ProbeResult } from "./probes/types";
import { CheckRecorder, loadMemory } from "./recorder";
import { applyResult, type MonitorMemory } from "./transitions";

type Probed = Exclude<MonitorConfig, HeartbeatMonitorConfig>;

export function probe(config: Probed, signal?: AbortSignal): Promise<ProbeResult> {
  switch (config.type) {
    case "http":
      return probeHttp(config, { signal });
    case "tcp":
      return probeTcp(config, { signal });
    case "tls":
      return probeTls(config, { signal });
  }
}

type Entry = {
  config: MonitorConfig;
  memory: MonitorMemory;
  nextDue: number;
  running: boolean;
  pausedInUi: boolean;
};

export type EngineOptions = {
  /** Only the scheduler-lease holder checks, so two processes never double-count. */
  isLeader: () => boolean;
  concurrency?: number;
  tickMs?: number;
  /** How often pauses made from the UI (possibly by another process) are read back. */
  syncMs?: number;
  now?: () => number;
  probe?: (config: Probed, signal?: AbortSignal) => Promise<ProbeResult>;
  /** Called with how late each check started against its schedule (ms). */
  onLateness?: (ms: number) => void;
  onError?: (err: unknown) => void;
};

/**
 * Runs every monitor on its interval. One timer scans the monitors a few times a
 * second and starts those that are due (up to `concurrency` at once); a failed
 * check is retried after `retryInterval`; results go to the recorder, which stores
 * them in batches. Heartbeat monitors are not probed: their pings arrive over HTTP,
 * and the engine only notices when one is overdue.
 */
export class MonitorEngine {
  private entries = new Map<string, Entry>();
  private matcher: MaintenanceMatcher = () => false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private lastSync = 0;
  private lastHeartbeatScan = 0;
  private leading = false;
  private readonly abort = new AbortController();
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    private readonly recorder: CheckRecorder,
    private readonly opts: EngineOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Applies a (re)loaded config: keeps the schedule and memory of monitors that stay. */
  setMonitors(monitors: MonitorConfig[], windows: MaintenanceWindowConfig[]): void {
    this.matcher = maintenanceMatcher(windows);
    const now = this.now();
    const next = new Map<string, Entry>();
    for (const config of monitors) {
      const existing = this.entries.get(config.id);
      if (existing) {
        existing.config = config;
        next.set(config.id, existing);
        continue;
      }
      const { memory, row } = loadMemory(this.db, config.id);
      // Spread first checks over the interval (up to 30 s), so monitors keep an even
      // pace instead of all firing in the same moment every interval.
      const spread = Math.min(config.interval, 30_000);
      next.set(config.id, {
        config,
        memory,
        nextDue: now + (hash(config.id) % spread),
        running: false,
        pausedInUi: Boolean(row?.pausedBy),
      });
    }
    this.entries = next;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 200);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.abort.abort();
  }

  get monitorCount(): number {
    return this.entries.size;
  }

  tick(): void {
    if (!this.opts.isLeader()) {
      this.leading = false;
      return;
    }
    if (!this.leading) {
      // Another process may have been checking until now: resume from what it stored.
      this.leading = true;
      this.guard(() => {
        for (const entry of this.entries.values())
          entry.memory = loadMemory(this.db, entry.config.id).memory;
      });
    }
    const now = this.now();
    if (now - this.lastSync >= (this.opts.syncMs ?? 2_000)) this.syncPauses(now);
    const scanHeartbeats = now - this.lastHeartbeatScan >= 5_000;
    if (scanHeartbeats) this.lastHeartbeatScan = now;
    for (const entry of this.entries.values()) {
      if (entry.config.type === "heartbeat") {
        if (scanHeartbeats)
          this.guard(() =>
            evaluateHeartbeat(this.db, entry.config as HeartbeatMonitorConfig, now, this.matcher),
          );
        continue;
      }
      if (entry.running || entry.config.paused || entry.pausedInUi || entry.nextDue > now) continue;
      if (this.inFlight >= (this.opts.concurrency ?? 256)) break;
      this.launch(entry, entry.config, now);
    }
  }

  private launch(entry: Entry, config: Probed, now: number): void {
    this.opts.onLateness?.(now - entry.nextDue);
    entry.running = true;
    this.inFlight++;
    const scheduled = entry.nextDue;
    (this.opts.probe ?? probe)(config, this.abort.signal)
      .then((result) => this.record(entry, config, result, scheduled))
      .catch((err) => this.opts.onError?.(err))
      .finally(() => {
        entry.running = false;
        this.inFlight--;
      });
  }

  private record(entry: Entry, config: Probed, result: ProbeResult, scheduled: number): void {
    if (this.abort.signal.aborted) return;
    const at = this.now();
    const inMaintenance = this.matcher(config, at);
    const t = applyResult(entry.memory, result, { retries: config.retries, at, inMaintenance });
    const statusChanged = t.next.status !== entry.memory.status;
    entry.memory = t.next;
    // Keep to the schedule (no drift); if far behind, start again from now.
    entry.nextDue = t.retrySoon
      ? at + config.retryInterval
      : Math.max(scheduled + config.interval, at);
    this.recorder.add({
      monitorId: config.id,
      at,
      result,
      maintenance: inMaintenance,
      retrying: t.retrying,
      memory: t.next,
      incident: t.incident,
      statusChanged,
    });
  }

  private syncPauses(now: number): void {
    this.lastSync = now;
    this.guard(() => {
      const paused = new Set(
        this.db
          .select({ id: monitorState.monitorId, by: monitorState.pausedBy })
          .from(monitorState)
          .all()
          .filter((r) => r.by)
          .map((r) => r.id),
      );
      for (const [id, entry] of this.entries) {
        const was = entry.pausedInUi;
        entry.pausedInUi = paused.has(id);
        // A resumed monitor is checked at once.
        if (was && !entry.pausedInUi) entry.nextDue = now;
      }
    });
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
