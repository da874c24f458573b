import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { BUCKETS, bucketIndex } from "@/lib/histogram";
import type { Db, DbOrTx } from "@/server/db";
import {
  incidents,
  monitorState,
  type MonitorStateRow,
  type MonitorStatus,
  type RollupResolution,
} from "@/server/db/schema";
import { redactSecrets, redactSecretsIn } from "@/server/secrets/redact";
import type { ProbeResult } from "./probes/types";
import type { MonitorMemory, Transition } from "./transitions";

/** One check, with what it changed, ready to be stored. */
export type CheckRecord = {
  monitorId: string;
  at: number;
  result: ProbeResult;
  maintenance: boolean;
  retrying: boolean;
  memory: MonitorMemory;
  incident: Transition["incident"];
  /** Set when the state row must show something other than memory.status (paused, new, late). */
  displayStatus?: MonitorStatus;
  statusChanged: boolean;
  detail?: Record<string, unknown>;
};

const SIZES: Record<RollupResolution, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

export function bucketStart(at: number, resolution: RollupResolution): number {
  return Math.floor(at / SIZES[resolution]) * SIZES[resolution];
}

type Delta = {
  monitorId: string;
  resolution: RollupResolution;
  bucket: number;
  up: number;
  degraded: number;
  down: number;
  maintenance: number;
  respCount: number;
  respSum: number;
  respMin: number | null;
  respMax: number | null;
  hist: number[];
};

/** Adds a batch of checks into per-(monitor, resolution, bucket) deltas, so each row is written once per batch. */
function rollupDeltas(records: CheckRecord[]): Delta[] {
  const deltas = new Map<string, Delta>();
  for (const r of records) {
    for (const resolution of ["minute", "hour", "day"] as const) {
      const bucket = bucketStart(r.at, resolution);
      const key = `${r.monitorId}\u0000${resolution}\u0000${bucket}`;
      let d = deltas.get(key);
      if (!d) {
        d = {
          monitorId: r.monitorId,
          resolution,
          bucket,
          up: 0,
          degraded: 0,
          down: 0,
          maintenance: 0,
          respCount: 0,
          respSum: 0,
          respMin: null,
          respMax: null,
          hist: new Array<number>(BUCKETS).fill(0),
        };
        deltas.set(key, d);
      }
      if (r.maintenance) d.maintenance++;
      else d[r.result.status]++;
      const ms = r.result.responseMs;
      if (ms !== null && r.result.status !== "down") {
        d.respCount++;
        d.respSum += ms;
        d.respMin = d.respMin === null ? ms : Math.min(d.respMin, ms);
        d.respMax = d.respMax === null ? ms : Math.max(d.respMax, ms);
        d.hist[bucketIndex(ms)]!++;
      }
    }
  }
  return [...deltas.values()];
}

/**
 * The statements a batch runs, prepared once per connection: building and preparing
 * SQL for every check cost ~60 times more CPU than SQLite's work on it (measured by
 * bench/monitor-load.ts).
 */
type Statements = ReturnType<typeof prepare>;
const prepared = new WeakMap<object, Statements>();

const H = Array.from({ length: BUCKETS }, (_, i) => `h${i}`);

function prepare(client: Db["$client"]) {
  return {
    insertCheck: client.prepare(
      `insert into check_results (monitor_id, at, status, response_ms, status_code, error, tls_days_left, maintenance, retrying, detail)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertRollup: client.prepare(
      `insert into monitor_rollups (monitor_id, resolution, bucket, up, degraded, down, maintenance, resp_count, resp_sum, resp_min, resp_max, ${H.join(", ")})
       values (${new Array(11 + BUCKETS).fill("?").join(", ")})
       on conflict (monitor_id, resolution, bucket) do update set
         up = up + excluded.up, degraded = degraded + excluded.degraded, down = down + excluded.down,
         maintenance = maintenance + excluded.maintenance,
         resp_count = resp_count + excluded.resp_count, resp_sum = resp_sum + excluded.resp_sum,
         resp_min = min(coalesce(resp_min, excluded.resp_min), coalesce(excluded.resp_min, resp_min)),
         resp_max = max(coalesce(resp_max, excluded.resp_max), coalesce(excluded.resp_max, resp_max)),
         ${H.map((h) => `${h} = ${h} + excluded.${h}`).join(", ")}`,
    ),
    upsertRecentHour: client.prepare(
      `insert into monitor_recent_hours (monitor_id, bucket, resp_min, resp_max, ${H.join(", ")})
       values (${new Array(4 + BUCKETS).fill("?").join(", ")})
       on conflict (monitor_id, bucket) do update set
         resp_min = min(coalesce(resp_min, excluded.resp_min), coalesce(excluded.resp_min, resp_min)),
         resp_max = max(coalesce(resp_max, excluded.resp_max), coalesce(excluded.resp_max, resp_max)),
         ${H.map((h) => `${h} = ${h} + excluded.${h}`).join(", ")}`,
    ),
    pruneRecentHours: client.prepare(`delete from monitor_recent_hours where bucket < ?`),
    openIncident: client.prepare(
      `insert into incidents (monitor_id, opened_at, cause, last_error, failed_checks) values (?, ?, ?, ?, ?)
       on conflict do nothing`,
    ),
    updateIncident: client.prepare(
      `update incidents set last_error = ?, failed_checks = failed_checks + 1 where monitor_id = ? and closed_at is null`,
    ),
    closeIncident: client.prepare(
      `update incidents set closed_at = ? where monitor_id = ? and closed_at is null`,
    ),
    upsertState: client.prepare(
      `insert into monitor_state (monitor_id, status, since, last_check_at, last_response_ms, last_status_code, last_error, tls_days_left, consecutive_failures, failing_since, first_error, first_check_at)
       values (@id, @status, @at, @at, @responseMs, @statusCode, @error, @tlsDaysLeft, @failures, @failingSince, @firstError, @firstCheckAt)
       on conflict (monitor_id) do update set
         status = excluded.status, since = case when @changed then excluded.since else since end,
         last_check_at = excluded.last_check_at, last_response_ms = excluded.last_response_ms,
         last_status_code = excluded.last_status_code, last_error = excluded.last_error,
         tls_days_left = excluded.tls_days_left, consecutive_failures = excluded.consecutive_failures,
         failing_since = excluded.failing_since, first_error = excluded.first_error,
         first_check_at = coalesce(min(first_check_at, excluded.first_check_at), first_check_at, excluded.first_check_at)`,
    ),
  };
}

function statements(db: Db): Statements {
  let s = prepared.get(db.$client);
  if (!s) {
    s = prepare(db.$client);
    prepared.set(db.$client, s);
  }
  return s;
}

// Every error text a check stores passes here: probe errors, heartbeat messages, causes.
const clip = (text: string | null | undefined) =>
  text == null ? null : redactSecrets(text).slice(0, 1000);

function applyIncident(s: Statements, r: CheckRecord): void {
  const change = r.incident;
  if (!change) return;
  if ("open" in change) {
    s.openIncident.run(
      r.monitorId,
      change.open.openedAt,
      clip(change.open.cause),
      clip(r.result.error),
      r.memory.consecutiveFailures,
    );
  } else if ("update" in change) {
    s.updateIncident.run(clip(change.update.error), r.monitorId);
  } else {
    s.closeIncident.run(change.close.closedAt, r.monitorId);
  }
}

function writeState(s: Statements, r: CheckRecord): void {
  s.upsertState.run({
    id: r.monitorId,
    status: r.displayStatus ?? r.memory.status,
    at: r.at,
    responseMs: r.result.responseMs,
    statusCode: r.result.statusCode,
    error: clip(r.result.error),
    tlsDaysLeft: r.result.tlsDaysLeft,
    failures: r.memory.consecutiveFailures,
    failingSince: r.memory.failingSince,
    firstError: clip(r.memory.firstError),
    changed: r.statusChanged ? 1 : 0,
    // Uptime counts from the first check that counts: maintenance checks do not.
    firstCheckAt: r.maintenance ? null : r.at,
  });
}

/** How many hours back monitor_recent_hours reaches: the 24 h window's first hour and the current one. */
export const RECENT_HOURS = 25;
const prunedUpTo = new WeakMap<object, number>();

/**
 * Keeps monitor_recent_hours to its last RECENT_HOURS hours, counted from the newest
 * check of the batch (the checks' clock, not the wall clock). Runs once per new hour.
 */
function pruneRecentHours(db: Db, s: Statements, records: CheckRecord[]): void {
  let newest = -Infinity;
  for (const r of records) newest = Math.max(newest, r.at);
  const cutoff = bucketStart(newest, "hour") - (RECENT_HOURS - 1) * SIZES.hour;
  if ((prunedUpTo.get(db.$client) ?? -Infinity) >= cutoff) return;
  s.pruneRecentHours.run(cutoff);
  prunedUpTo.set(db.$client, cutoff);
}

/** A monitor's stored state and whether it has an open incident: where checks resume after a restart. */
export function loadMemory(
  tx: DbOrTx,
  monitorId: string,
): { memory: MonitorMemory; row: MonitorStateRow | undefined } {
  const row = tx.select().from(monitorState).where(eq(monitorState.monitorId, monitorId)).get();
  const open = tx
    .select({ id: incidents.id })
    .from(incidents)
    .where(and(eq(incidents.monitorId, monitorId), isNull(incidents.closedAt)))
    .get();
  const checked = row !== undefined && ["up", "degraded", "pending", "down"].includes(row.status);
  return {
    row,
    memory: {
      status: checked ? row.status : "unknown",
      consecutiveFailures: row?.consecutiveFailures ?? 0,
      failingSince: row?.failingSince?.getTime() ?? null,
      firstError: row?.firstError ?? null,
      incidentOpen: open !== undefined,
    },
  };
}

/**
 * Stores checks: raw rows, minute/hour/day rollups, monitor state and incidents, all
 * in one transaction per batch, so a crash or restart never counts a check twice or
 * half-records it. Rollups are only ever incremented by the checks being inserted.
 */
export function storeChecks(db: Db, records: CheckRecord[]): void {
  if (records.length === 0) return;
  db.transaction(() => writeChecks(db, records), { behavior: "immediate" });
}

/** storeChecks inside a transaction the caller already holds on `db`'s connection. */
export function writeChecks(db: Db, records: CheckRecord[]): void {
  const s = statements(db);
  for (const r of records) {
    s.insertCheck.run(
      r.monitorId,
      r.at,
      r.result.status,
      r.result.responseMs,
      r.result.statusCode,
      clip(r.result.error),
      r.result.tlsDaysLeft,
      r.maintenance ? 1 : 0,
      r.retrying ? 1 : 0,
      r.detail ? JSON.stringify(redactSecretsIn(r.detail)) : null,
    );
  }
  for (const d of rollupDeltas(records)) {
    s.upsertRollup.run(
      d.monitorId,
      d.resolution,
      d.bucket,
      d.up,
      d.degraded,
      d.down,
      d.maintenance,
      d.respCount,
      d.respSum,
      d.respMin,
      d.respMax,
      ...d.hist,
    );
    if (d.resolution === "hour") {
      s.upsertRecentHour.run(d.monitorId, d.bucket, d.respMin, d.respMax, ...d.hist);
    }
  }
  pruneRecentHours(db, s, records);
  for (const r of records) {
    applyIncident(s, r);
    writeState(s, r);
  }
}

/** Buffers checks and stores them in one transaction per second (or per 1,000 checks). */
export class CheckRecorder {
  private queue: CheckRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly opts: {
      flushMs?: number;
      maxBatch?: number;
      onError?: (err: unknown) => void;
    } = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.flush(), this.opts.flushMs ?? 1000);
    this.timer.unref();
  }

  add(record: CheckRecord): void {
    this.queue.push(record);
    if (this.queue.length >= (this.opts.maxBatch ?? 1000)) this.flush();
  }

  flush(): void {
    const batch = this.queue;
    this.queue = [];
    try {
      storeChecks(this.db, batch);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
