import "server-only";
import type { Statement } from "better-sqlite3";
import type { DecodedChunk } from "@/lib/metrics/chunk";
import {
  carryAfter,
  decodeRollupField,
  newCarry,
  rollupSamples,
  type RollupPoint,
} from "@/lib/metrics/rollup-chunk";
import { isStaleNaN, STALE_NAN } from "@/lib/metrics/stale";
import type { LabelMatcher } from "@/lib/promql/ast";
import { compareLabels } from "@/lib/promql/eval-labels";
import { matcherTest } from "@/lib/promql/matcher";
import {
  type Labels,
  lowerBound,
  type Querier,
  type SelectHints,
  type SeriesData,
} from "@/lib/promql/storage";
import type { MetricsDb } from "./db";
import { labelsFromKey, toRecord } from "./labels";
import { asBytes, concatenate, RawReader } from "./raw-read";
import {
  chooseResolution,
  coarser,
  fieldFor,
  type Coverage,
  type PointField,
  type Resolution,
} from "./resolution";
import { FIVE_MINUTES, HOUR, Meta, META, prepareRollupRows, rollupRowSpan } from "./rollup";
import { RollupRowCache, type RowKey } from "./rollup-cache";

/** Readers cache each series' labels by id: a series' labels never change. */
const LABEL_CACHE_MAX = 200_000;

type RowBounds = [id: number, step: number, firstFrom: number, firstTo: number, lastFrom: number];

/**
 * Reads metrics.db for the PromQL evaluator (the query worker's connection). Matchers
 * that cannot match an empty value select candidates through the postings; the others
 * filter the candidates' labels. Chunks are read by (series, first timestamp), so a
 * recent window reads a few rows however long the series' history is. Rollup rows stay
 * decoded in `rollupCache` (stored rows, never answers; each checked against the
 * database at every read); the arrays a select returns may be the cache's own, which
 * the evaluator only reads.
 */
export class TsdbQuerier implements Querier {
  private readonly labelCache = new Map<number, Labels>();
  private readonly stmt: {
    byValue: Statement<[string, string], { series_id: number }>;
    byName: Statement<[string], { value: string; series_id: number }>;
    key: Statement<[number], { key: string }>;
    rowKeys: Statement<RowBounds, [number, number, number]>;
    rowBlobs: Statement<RowBounds, [number, number, number, Buffer]>;
    blobs: Statement<RowBounds, Buffer>;
    rowBlob: Statement<[number, number, number], Buffer>;
  };
  readonly rollupCache: RollupRowCache;
  private readonly raw: RawReader;
  private readonly meta: Meta;
  private used: Resolution = "raw";
  /** Samples read by the last `select` calls (the evaluator's budget counts them too). */
  samplesRead = 0;
  /** Rollup row fields read so far: from the cache, and decoded from their blobs. */
  readonly rollupRows = { cached: 0, decoded: 0 };

  /** `cacheBytes`: the bound of the decoded rollup rows kept (0: none kept). */
  constructor(
    private readonly db: MetricsDb,
    opts: { cacheBytes?: number } = {},
  ) {
    // The rows of one series and step holding points in [start, end]: bind (id, step,
    // start - rollupRowSpan(step), end, start), a row's points spanning less than that.
    const rows = (columns: string) =>
      `SELECT ${columns} FROM rollups WHERE series_id = ? AND step = ? AND first_t >= ?
         AND first_t <= ? AND last_t >= ? ORDER BY first_t`;
    this.stmt = {
      byValue: db.prepare("SELECT series_id FROM postings WHERE name = ? AND value = ?"),
      byName: db.prepare("SELECT value, series_id FROM postings WHERE name = ? ORDER BY value"),
      key: db.prepare("SELECT key FROM series WHERE id = ?"),
      rowKeys: db
        .prepare<RowBounds, [number, number, number]>(rows("first_t, last_t, count"))
        .raw(),
      rowBlobs: db
        .prepare<RowBounds, [number, number, number, Buffer]>(rows("first_t, last_t, count, data"))
        .raw(),
      blobs: prepareRollupRows(db),
      rowBlob: db
        .prepare<[number, number, number], Buffer>(
          "SELECT data FROM rollups WHERE series_id = ? AND step = ? AND first_t = ?",
        )
        .pluck(),
    };
    this.rollupCache = new RollupRowCache(opts.cacheBytes);
    this.raw = new RawReader(db);
    this.meta = new Meta(db);
  }

  /** Forgets the resolution recorded so far: call before evaluating a query. */
  startEvaluation(): void {
    this.used = "raw";
  }

  /** The coarsest resolution read since `startEvaluation()`. */
  get resolution(): Resolution {
    return this.used;
  }

  select(matchers: LabelMatcher[], hints: SelectHints): SeriesData[] {
    return this.db.transaction(() => this.selectIn(matchers, hints)).deferred();
  }

  /** The ids of every series the matchers select, with their labels. */
  matchSeries(matchers: LabelMatcher[]): { id: number; labels: Labels }[] {
    const tests = matchers.map((m) => ({ m, test: matcherTest(m) }));
    let candidates: Set<number> | undefined;
    for (const { m, test } of tests) {
      if (test("")) continue;
      const ids = new Set<number>();
      if (m.op === "=") {
        for (const r of this.stmt.byValue.iterate(m.name, m.value)) ids.add(r.series_id);
      } else {
        let lastValue: string | undefined;
        let lastOk = false;
        for (const r of this.stmt.byName.iterate(m.name)) {
          if (r.value !== lastValue) {
            lastValue = r.value;
            lastOk = test(r.value);
          }
          if (lastOk) ids.add(r.series_id);
        }
      }
      candidates = candidates ? intersect(candidates, ids) : ids;
      if (candidates.size === 0) return [];
    }
    // The parser refuses a selector whose every matcher matches the empty string.
    if (!candidates) throw new Error("a selector needs a matcher that does not match empty");
    const rest = tests.filter(({ test }) => test(""));
    const out: { id: number; labels: Labels }[] = [];
    for (const id of candidates) {
      const labels = this.labelsOf(id);
      if (labels && rest.every(({ m, test }) => test(labels[m.name] ?? "")))
        out.push({ id, labels });
    }
    // In label order, as Prometheus's TSDB returns series: ties in topk, and which
    // duplicates an error names, then fall the same way.
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  private selectIn(matchers: LabelMatcher[], hints: SelectHints): SeriesData[] {
    const coverage = this.coverage();
    const resolution = chooseResolution(hints, coverage.from);
    const field = fieldFor(hints.func);
    const matched = this.matchSeries(matchers);
    const read =
      resolution === "raw"
        ? matched.map(({ id }) => this.raw.read(id, hints.start, hints.end))
        : join(
            matched.map(({ id }) => this.readRollup(id, resolution, field, hints, coverage.done)),
          );
    const out: SeriesData[] = [];
    matched.forEach(({ labels }, i) => {
      let series = read[i]!;
      if (series.t.length === 0) return;
      if (resolution !== "raw") this.used = coarser(this.used, resolution);
      if (resolution === "1h" && hints.range === 0) series = densify(series, hints.end);
      this.samplesRead += series.t.length;
      out.push({ labels, ...series });
    });
    return out;
  }

  private coverage(): { from: Coverage; done: Record<"5m" | "1h", number | undefined> } {
    const get = (key: string) => this.meta.get(key);
    return {
      from: {
        raw: get(META.from("raw")) ?? -Infinity,
        "5m": get(META.from("5m")) ?? -Infinity,
        "1h": get(META.from("1h")) ?? -Infinity,
      },
      done: { "5m": get(META.done("5m")), "1h": get(META.done("1h")) },
    };
  }

  /**
   * One series at a rollup resolution, in parts to join: stored points up to where the
   * rollup is done, and after that the raw samples rolled up here the same way (the
   * bucket under way ending at its latest sample), so the newest windows hold points as
   * evenly spaced as the older ones, and an answer does not change when the rollup
   * catches up.
   */
  private readRollup(
    id: number,
    level: "5m" | "1h",
    field: PointField,
    hints: SelectHints,
    done: Record<"5m" | "1h", number | undefined>,
  ): DecodedChunk[] {
    const step = level === "1h" ? HOUR : FIVE_MINUTES;
    const until = done[level] ?? -Infinity;
    const parts: DecodedChunk[] = [];
    // The newest row read, for the carry into the raw samples after it (if there are any).
    let newest: { key: RowKey; end: number } | undefined;
    if (hints.start < until) {
      const end = Math.min(hints.end, until - 1);
      const rows = this.decodedRows(id, step, field, hints.start, end);
      for (const r of rows) parts.push(within(r.points, hints.start, end));
      if (rows.length > 0) newest = { key: rows[rows.length - 1]!.key, end };
    }
    // The whole bucket the selection starts in, so its point is the rollup's.
    const from = Math.max(until, Math.floor(hints.start / step) * step);
    const raw = from <= hints.end ? this.raw.read(id, from, hints.end) : undefined;
    if (raw && raw.t.length > 0) {
      const carry = newest
        ? carryAfter(
            within(this.rowField(id, step, newest.key, "last"), -Infinity, newest.end).v,
            within(this.rowField(id, step, newest.key, "counter"), -Infinity, newest.end).v,
          )
        : newCarry();
      const tail = pointsField(rollupSamples(raw.t, raw.v, step, carry), field);
      const first = tail.t.findIndex((t) => t >= hints.start);
      if (first >= 0) parts.push({ t: tail.t.subarray(first), v: tail.v.subarray(first) });
    }
    return parts;
  }

  /**
   * The rows of one series and step holding points in [start, end], each with `field`
   * decoded whole: from the cache where it holds the row as it is now, the others read
   * in one statement with their blobs.
   */
  private decodedRows(
    id: number,
    step: number,
    field: PointField,
    start: number,
    end: number,
  ): { key: RowKey; points: DecodedChunk }[] {
    const cache = this.rollupCache;
    const from = start - rollupRowSpan(step);
    const out: { key: RowKey; points: DecodedChunk }[] = [];
    const decode = (key: RowKey, data: Buffer): DecodedChunk => {
      const points = decodeField(asBytes(data), field);
      cache.set(id, step, field, key, points);
      this.rollupRows.decoded++;
      return points;
    };
    if (!cache.holds(id)) {
      // The blobs alone: a row's key columns are its points' count, first and last time.
      for (const data of this.stmt.blobs.all(id, step, from, end, start)) {
        const points = decodeField(asBytes(data), field);
        const n = points.t.length;
        this.rollupRows.decoded++;
        if (n === 0) continue;
        const key = { firstT: points.t[0]!, lastT: points.t[n - 1]!, count: n };
        cache.set(id, step, field, key, points);
        out.push({ key, points });
      }
      return out;
    }
    // The rows not held, by first timestamp, to their place in `out`.
    const missing = new Map<number, number>();
    for (const [firstT, lastT, count] of this.stmt.rowKeys.all(id, step, from, end, start)) {
      const key = { firstT, lastT, count };
      const points = cache.get(id, step, field, key);
      if (points) this.rollupRows.cached++;
      else missing.set(firstT, out.length);
      out.push({ key, points: points ?? EMPTY });
    }
    if (missing.size === 0) return out;
    // In the same transaction as the keys, so the rows are as the keys found them.
    const firsts = [...missing.keys()];
    const [lo, hi] = [firsts[0]!, firsts[firsts.length - 1]!];
    for (const [firstT, , , data] of this.stmt.rowBlobs.all(id, step, lo, hi, start)) {
      const i = missing.get(firstT);
      if (i !== undefined) out[i]!.points = decode(out[i]!.key, data);
    }
    return out;
  }

  /** One field of one row, decoded whole (the carry reads `last` and `counter`). */
  private rowField(id: number, step: number, key: RowKey, field: PointField): DecodedChunk {
    const cached = this.rollupCache.get(id, step, field, key);
    if (cached) {
      this.rollupRows.cached++;
      return cached;
    }
    const points = decodeField(asBytes(this.stmt.rowBlob.get(id, step, key.firstT)!), field);
    this.rollupCache.set(id, step, field, key, points);
    this.rollupRows.decoded++;
    return points;
  }

  private labelsOf(id: number): Labels | undefined {
    const cached = this.labelCache.get(id);
    if (cached) return cached;
    const row = this.stmt.key.get(id);
    if (!row) return undefined;
    const labels = toRecord(labelsFromKey(row.key));
    if (this.labelCache.size >= LABEL_CACHE_MAX) this.labelCache.clear();
    this.labelCache.set(id, labels);
    return labels;
  }
}

const EMPTY: DecodedChunk = { t: new Float64Array(0), v: new Float64Array(0) };

/**
 * Each series' parts as one run, all in one pair of arrays (a few allocations a select
 * rather than two a series); parts out of order (history imported beside what was
 * scraped) are sorted by `concatenate`.
 */
function join(series: DecodedChunk[][]): DecodedChunk[] {
  const ordered = series.map(inOrder);
  let total = 0;
  series.forEach((parts, k) => {
    if (ordered[k] && parts.length > 1) for (const p of parts) total += p.t.length;
  });
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let at = 0;
  return series.map((parts, k) => {
    if (!ordered[k]) return concatenate(parts);
    if (parts.length === 0) return EMPTY;
    if (parts.length === 1) return parts[0]!;
    const from = at;
    for (const p of parts) {
      t.set(p.t, at);
      v.set(p.v, at);
      at += p.t.length;
    }
    return { t: t.subarray(from, at), v: v.subarray(from, at) };
  });
}

/** Whether each part starts after the one before ends. */
function inOrder(parts: DecodedChunk[]): boolean {
  let last = -Infinity;
  for (const p of parts) {
    if (p.t.length === 0) continue;
    if (p.t[0]! <= last) return false;
    last = p.t[p.t.length - 1]!;
  }
  return true;
}

/** One field of a blob's points; "avg" is each bucket's sum over its count. */
function decodeField(blob: Uint8Array, field: PointField): DecodedChunk {
  if (field !== "avg") return decodeRollupField(blob, field);
  const sum = decodeRollupField(blob, "sum");
  const count = decodeRollupField(blob, "count").v;
  const v = new Float64Array(sum.v.length);
  for (let i = 0; i < v.length; i++) {
    const s = sum.v[i]!;
    v[i] = isStaleNaN(s) ? s : s / count[i]!;
  }
  return { t: sum.t, v };
}

/** The points with start <= t <= end, as views (stored timestamps are whole milliseconds). */
function within(p: DecodedChunk, start: number, end: number): DecodedChunk {
  const from = lowerBound(p.t, start);
  const to = lowerBound(p.t, Math.floor(end) + 1, from);
  if (from === 0 && to === p.t.length) return p;
  return { t: p.t.subarray(from, to), v: p.v.subarray(from, to) };
}

/** One field of points rolled up here. */
function pointsField(points: RollupPoint[], field: PointField): DecodedChunk {
  const t = new Float64Array(points.length);
  const v = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    t[i] = p.t;
    v[i] = p.stale ? STALE_NAN : field === "avg" ? p.sum / p.count : p[field];
  }
  return { t, v };
}

/**
 * Hourly points for an instant selector, repeated every 5 minutes until the next point
 * (at most an hour on, never past `until`), so the 5-minute lookback finds one at every
 * step: what Thanos's dynamic lookback does for hourly data.
 */
function densify(p: DecodedChunk, until: number): DecodedChunk {
  const t: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < p.t.length; i++) {
    t.push(p.t[i]!);
    at.push(i);
    if (isStaleNaN(p.v[i]!)) continue;
    const stop = Math.min(i + 1 < p.t.length ? p.t[i + 1]! : until, p.t[i]! + HOUR, until);
    for (let f = p.t[i]! + FIVE_MINUTES; f < stop; f += FIVE_MINUTES) {
      t.push(f);
      at.push(i);
    }
  }
  const v = new Float64Array(t.length);
  for (let k = 0; k < at.length; k++) v[k] = p.v[at[k]!]!;
  return { t: Float64Array.from(t), v };
}

function intersect(a: Set<number>, b: Set<number>): Set<number> {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const x of small) if (large.has(x)) out.add(x);
  return out;
}
