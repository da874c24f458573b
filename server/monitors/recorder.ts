import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { BUCKETS, bucketIndex } from "@/lib/histogram";
import type { Db, DbOrTx } from "@/server/db";
import {
  checkResults,
  incidents,
  monitorRollups,
  monitorState,
  type MonitorStateRow,
  type MonitorStatus,
  type RollupResolution,
} from "@/server/db/schema";
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

const histColumn = (i: number) => sql.raw(`h${i}`);

function upsertRollup(tx: DbOrTx, d: Delta): void {
  const hist = Object.fromEntries(d.hist.map((n, i) => [`h${i}`, n]));
  const histSet = Object.fromEntries(
    d.hist.map((_, i) => [`h${i}`, sql`${histColumn(i)} + excluded.${histColumn(i)}`]),
  );
  tx.insert(monitorRollups)
    .values({ ...d, ...hist })
    .onConflictDoUpdate({
      target: [monitorRollups.monitorId, monitorRollups.resolution, monitorRollups.bucket],
      set: {
        up: sql`${monitorRollups.up} + excluded.up`,
        degraded: sql`${monitorRollups.degraded} + excluded.degraded`,
        down: sql`${monitorRollups.down} + excluded.down`,
        maintenance: sql`${monitorRollups.maintenance} + excluded.maintenance`,
        respCount: sql`${monitorRollups.respCount} + excluded.resp_count`,
        respSum: sql`${monitorRollups.respSum} + excluded.resp_sum`,
        respMin: sql`min(coalesce(${monitorRollups.respMin}, excluded.resp_min), coalesce(excluded.resp_min, ${monitorRollups.respMin}))`,
        respMax: sql`max(coalesce(${monitorRollups.respMax}, excluded.resp_max), coalesce(excluded.resp_max, ${monitorRollups.respMax}))`,
        ...histSet,
      },
    })
    .run();
}

function applyIncident(tx: DbOrTx, r: CheckRecord): void {
  const change = r.incident;
  if (!change) return;
  if ("open" in change) {
    tx.insert(incidents)
      .values({
        monitorId: r.monitorId,
        openedAt: new Date(change.open.openedAt),
        cause: change.open.cause.slice(0, 1000),
        lastError: r.result.error?.slice(0, 1000) ?? null,
        failedChecks: r.memory.consecutiveFailures,
      })
      .onConflictDoNothing()
      .run();
  } else if ("update" in change) {
    tx.update(incidents)
      .set({
        lastError: change.update.error.slice(0, 1000),
        failedChecks: sql`${incidents.failedChecks} + 1`,
      })
      .where(and(eq(incidents.monitorId, r.monitorId), isNull(incidents.closedAt)))
      .run();
  } else {
    tx.update(incidents)
      .set({ closedAt: new Date(change.close.closedAt) })
      .where(and(eq(incidents.monitorId, r.monitorId), isNull(incidents.closedAt)))
      .run();
  }
}

function writeState(tx: DbOrTx, r: CheckRecord): void {
  const status = r.displayStatus ?? r.memory.status;
  const values = {
    status,
    lastCheckAt: new Date(r.at),
    lastResponseMs: r.result.responseMs,
    lastStatusCode: r.result.statusCode,
    lastError: r.result.error?.slice(0, 1000) ?? null,
    tlsDaysLeft: r.result.tlsDaysLeft,
    consecutiveFailures: r.memory.consecutiveFailures,
    failingSince: r.memory.failingSince === null ? null : new Date(r.memory.failingSince),
    firstError: r.memory.firstError,
  };
  tx.insert(monitorState)
    .values({ monitorId: r.monitorId, since: new Date(r.at), ...values })
    .onConflictDoUpdate({
      target: monitorState.monitorId,
      set: { ...values, ...(r.statusChanged ? { since: new Date(r.at) } : {}) },
    })
    .run();
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
  db.transaction((tx) => writeChecks(tx, records), { behavior: "immediate" });
}

/** storeChecks inside a transaction the caller holds. */
export function writeChecks(tx: DbOrTx, records: CheckRecord[]): void {
  for (let i = 0; i < records.length; i += 200) {
    tx.insert(checkResults)
      .values(
        records.slice(i, i + 200).map((r) => ({
          monitorId: r.monitorId,
          at: new Date(r.at),
          status: r.result.status,
          responseMs: r.result.responseMs,
          statusCode: r.result.statusCode,
          error: r.result.error?.slice(0, 1000) ?? null,
          tlsDaysLeft: r.result.tlsDaysLeft,
          maintenance: r.maintenance,
          retrying: r.retrying,
          detail: r.detail ?? null,
        })),
      )
      .run();
  }
  for (const d of rollupDeltas(records)) upsertRollup(tx, d);
  for (const r of records) {
    applyIncident(tx, r);
    writeState(tx, r);
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
