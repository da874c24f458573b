import "server-only";
import { eq } from "drizzle-orm";
import { formatDuration } from "@/lib/duration";
import type { HeartbeatMonitorConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { monitorState, type MonitorStatus } from "@/server/db/schema";
import type { MaintenanceMatcher } from "./maintenance";
import type { ProbeResult } from "./probes/types";
import { loadMemory, writeChecks } from "./recorder";
import { applyResult } from "./transitions";

export type Ping = {
  kind: "success" | "fail" | "start";
  durationMs?: number;
  sizeBytes?: number;
  message?: string;
};

/** new (never pinged), up, late (period passed, inside grace), down (grace passed too), paused: healthchecks.io's states. */
export function heartbeatStatus(
  config: HeartbeatMonitorConfig,
  state: { lastPingAt: Date | null; status: MonitorStatus; pausedBy: string | null } | undefined,
  now: number,
): MonitorStatus {
  if (config.paused || state?.pausedBy) return "paused";
  if (!state?.lastPingAt) return "new";
  const since = now - state.lastPingAt.getTime();
  if (since <= config.period) return state.status === "down" ? "down" : "up";
  return since <= config.period + config.grace ? "late" : "down";
}

function result(
  status: ProbeResult["status"],
  error: string | null,
  responseMs: number | null = null,
): ProbeResult {
  return { status, error, responseMs, statusCode: null, tlsDaysLeft: null };
}

/**
 * Records a ping: /start notes when a run began; success and /fail are checks (a
 * failure is down at once: the job said so). Read, decide and write happen in one
 * transaction, so a ping and the engine's overdue check never overwrite each other.
 */
export function recordPing(
  db: Db,
  config: HeartbeatMonitorConfig,
  ping: Ping,
  at: number,
  inMaintenance: MaintenanceMatcher,
): void {
  db.transaction(
    (tx) => {
      if (ping.kind === "start") {
        tx.insert(monitorState)
          .values({
            monitorId: config.id,
            since: new Date(at),
            status: "new",
            lastStartAt: new Date(at),
          })
          .onConflictDoUpdate({
            target: monitorState.monitorId,
            set: { lastStartAt: new Date(at) },
          })
          .run();
        return;
      }
      const { memory, row } = loadMemory(tx, config.id);
      const ran = ping.durationMs ?? (row?.lastStartAt ? at - row.lastStartAt.getTime() : null);
      const outcome =
        ping.kind === "success"
          ? result("up", null, ran)
          : result(
              "down",
              ping.message ? `job failed: ${ping.message}` : "the job reported a failure",
              ran,
            );
      const t = applyResult(memory, outcome, {
        retries: 0,
        at,
        inMaintenance: inMaintenance(config, at),
      });
      writeChecks(db, [
        {
          monitorId: config.id,
          at,
          result: outcome,
          maintenance: inMaintenance(config, at),
          retrying: false,
          memory: t.next,
          incident: t.incident,
          statusChanged: row?.status !== t.next.status,
          detail:
            ping.sizeBytes !== undefined || ping.message
              ? { sizeBytes: ping.sizeBytes, message: ping.message }
              : undefined,
        },
      ]);
      tx.update(monitorState)
        .set({ lastPingAt: new Date(at), lastStartAt: null })
        .where(eq(monitorState.monitorId, config.id))
        .run();
    },
    { behavior: "immediate" },
  );
}

/**
 * The engine's periodic look at a heartbeat monitor: marks it late, or down (opening
 * an incident) once period + grace have passed without a ping; while down, records a
 * failed check every `interval` so the time counts against uptime.
 */
export function evaluateHeartbeat(
  db: Db,
  config: HeartbeatMonitorConfig,
  now: number,
  inMaintenance: MaintenanceMatcher,
): void {
  db.transaction(
    (tx) => {
      const { memory, row } = loadMemory(tx, config.id);
      const display = heartbeatStatus(config, row, now);
      if (display === "late" && row?.status !== "late") {
        tx.update(monitorState)
          .set({ status: "late", since: new Date(now) })
          .where(eq(monitorState.monitorId, config.id))
          .run();
        return;
      }
      if (display !== "down" || !row?.lastPingAt) return;
      const dueSince = row.lastPingAt.getTime() + config.period;
      const lastCheck = row.lastCheckAt?.getTime() ?? 0;
      if (row.status === "down" && now - lastCheck < config.interval) return;
      const error = `no ping for ${formatDuration(now - row.lastPingAt.getTime())} (expected every ${formatDuration(config.period)}, grace ${formatDuration(config.grace)})`;
      const outcome = result("down", error);
      const t = applyResult(memory, outcome, {
        retries: 0,
        at: Math.max(now, dueSince),
        inMaintenance: inMaintenance(config, now),
      });
      writeChecks(db, [
        {
          monitorId: config.id,
          at: now,
          result: outcome,
          maintenance: inMaintenance(config, now),
          retrying: false,
          memory: t.next,
          incident: t.incident,
          statusChanged: row.status !== "down",
        },
      ]);
    },
    { behavior: "immediate" },
  );
}
