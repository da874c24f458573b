import "server-only";
import type { DecodedChunk } from "@/lib/metrics/chunk";
import type { PointField } from "./resolution";

/**
 * How much decoded rollup data one querier keeps: about 4 million points, 30 days of
 * hourly points of 5,000 series. There is one query worker with one querier
 * (prom-api.ts), so this is the process's figure too.
 */
export const ROLLUP_CACHE_BYTES = 64 * 2 ** 20;

/** A Map entry, its key and the objects around the arrays, counted with the arrays. */
const ENTRY_OVERHEAD_BYTES = 200;

const FIELDS: readonly PointField[] = ["count", "sum", "min", "max", "last", "counter", "avg"];

/** Which stored row: its key, and what tells one state of it from another. */
export interface RowKey {
  firstT: number;
  lastT: number;
  count: number;
}

interface Entry {
  series: number;
  key: number;
  lastT: number;
  count: number;
  points: DecodedChunk;
  bytes: number;
  /** Read since the eviction scan last passed it (the CLOCK algorithm's bit). */
  used: boolean;
}

/**
 * Rollup rows decoded whole, one field each, by (series, step, first timestamp, field),
 * bounded in bytes; past the bound the least recently used go first (CLOCK: a hit only
 * sets a bit, the eviction scan gives a used entry a second chance). A stored row is
 * only ever appended to (the newest of its series and step, until it is full) or deleted
 * whole by retention: its point count and last timestamp, read with its key, tell a
 * current entry from an outdated one, and a deleted row is never asked for again and
 * ages out. Series ids are never reused (the series table is AUTOINCREMENT).
 */
export class RollupRowCache {
  private readonly bySeries = new Map<number, Map<number, Entry>>();
  /** Oldest first, the eviction scan's order. */
  private readonly order = new Set<Entry>();
  private readonly steps = new Map<number, number>();
  private used = 0;

  constructor(readonly maxBytes = ROLLUP_CACHE_BYTES) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.order.size;
  }

  /** Whether any row of the series is held (one that is not is read with its blobs at once). */
  holds(series: number): boolean {
    return this.bySeries.has(series);
  }

  get(series: number, step: number, field: PointField, row: RowKey): DecodedChunk | undefined {
    const key = this.keyOf(step, field, row.firstT);
    const e = key === undefined ? undefined : this.bySeries.get(series)?.get(key);
    if (!e) return undefined;
    if (e.count !== row.count || e.lastT !== row.lastT) {
      this.remove(e);
      return undefined;
    }
    e.used = true;
    return e.points;
  }

  set(series: number, step: number, field: PointField, row: RowKey, points: DecodedChunk): void {
    const bytes = points.t.byteLength + points.v.byteLength + ENTRY_OVERHEAD_BYTES;
    const key = this.keyOf(step, field, row.firstT);
    if (key === undefined || bytes > this.maxBytes) return;
    const old = this.bySeries.get(series)?.get(key);
    if (old) this.remove(old);
    let rows = this.bySeries.get(series);
    if (!rows) {
      rows = new Map();
      this.bySeries.set(series, rows);
    }
    const e: Entry = {
      series,
      key,
      lastT: row.lastT,
      count: row.count,
      points,
      bytes,
      used: false,
    };
    rows.set(key, e);
    this.order.add(e);
    this.used += bytes;
    while (this.used > this.maxBytes) {
      const oldest = this.order.values().next().value!;
      if (oldest.used) {
        oldest.used = false;
        this.order.delete(oldest);
        this.order.add(oldest);
      } else {
        this.remove(oldest);
      }
    }
  }

  clear(): void {
    this.bySeries.clear();
    this.order.clear();
    this.used = 0;
  }

  private remove(e: Entry): void {
    const rows = this.bySeries.get(e.series)!;
    rows.delete(e.key);
    if (rows.size === 0) this.bySeries.delete(e.series);
    this.order.delete(e);
    this.used -= e.bytes;
  }

  /**
   * One number for (step, field, first timestamp) within a series: safe up to the year
   * 6400 in milliseconds; a row past that is simply not kept.
   */
  private keyOf(step: number, field: PointField, firstT: number): number | undefined {
    let s = this.steps.get(step);
    if (s === undefined) {
      s = this.steps.size;
      if (s >= 8) return undefined;
      this.steps.set(step, s);
    }
    const key = firstT * 64 + s * 8 + FIELDS.indexOf(field);
    return Number.isSafeInteger(key) ? key : undefined;
  }
}
