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
import type { Labels, Querier, SelectHints, SeriesData } from "@/lib/promql/storage";
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

/** Readers cache each series' labels by id: a series' labels never change. */
const LABEL_CACHE_MAX = 200_000;

/**
 * Reads metrics.db for the PromQL evaluator (the HTTP thread's connection). Matchers
 * that cannot match an empty value select candidates through the postings; the others
 * filter the candidates' labels. Chunks are read by (series, first timestamp), so a
 * recent window reads a few rows however long the series' history is.
 */
export class TsdbQuerier implements Querier {
  private readonly labelCache = new Map<number, Labels>();
  private readonly stmt: {
    byValue: Statement<[string, string], { series_id: number }>;
    byName: Statement<[string], { value: string; series_id: number }>;
    key: Statement<[number], { key: string }>;
    rollups: Statement<[number, number, number, number, number], Buffer>;
  };
  private readonly raw: RawReader;
  private readonly meta: Meta;
  private used: Resolution = "raw";
  /** Samples read by the last `select` calls (the evaluator's budget counts them too). */
  samplesRead = 0;

  constructor(private readonly db: MetricsDb) {
    this.stmt = {
      byValue: db.prepare("SELECT series_id FROM postings WHERE name = ? AND value = ?"),
      byName: db.prepare("SELECT value, series_id FROM postings WHERE name = ? ORDER BY value"),
      key: db.prepare("SELECT key FROM series WHERE id = ?"),
      rollups: prepareRollupRows(db),
    };
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
    const out: SeriesData[] = [];
    for (const { id, labels } of this.matchSeries(matchers)) {
      const series =
        resolution === "raw"
          ? this.raw.read(id, hints.start, hints.end)
          : this.readRollup(id, resolution, field, hints, coverage.done);
      this.samplesRead += series.t.length;
      if (series.t.length > 0) out.push({ labels, ...series });
    }
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
   * One series at a rollup resolution: stored points up to where the rollup is done, and
   * after that the raw samples rolled up here the same way (the bucket under way ending
   * at its latest sample), so the newest windows hold points as evenly spaced as the
   * older ones, and an answer does not change when the rollup catches up.
   */
  private readRollup(
    id: number,
    level: "5m" | "1h",
    field: PointField,
    hints: SelectHints,
    done: Record<"5m" | "1h", number | undefined>,
  ): DecodedChunk {
    const step = level === "1h" ? HOUR : FIVE_MINUTES;
    const until = done[level] ?? -Infinity;
    const parts: DecodedChunk[] = [];
    // The newest row read, for the carry into the raw samples after it (if there are any).
    let newest: { blob: Uint8Array; end: number } | undefined;
    if (hints.start < until) {
      const end = Math.min(hints.end, until - 1);
      const rows = this.stmt.rollups.all(
        id,
        step,
        hints.start - rollupRowSpan(step),
        end,
        hints.start,
      );
      for (const r of rows) parts.push(readField(asBytes(r), field, hints.start, end));
      if (rows.length > 0) newest = { blob: asBytes(rows[rows.length - 1]!), end };
    }
    // The whole bucket the selection starts in, so its point is the rollup's.
    const from = Math.max(until, Math.floor(hints.start / step) * step);
    const raw = from <= hints.end ? this.raw.read(id, from, hints.end) : undefined;
    if (raw && raw.t.length > 0) {
      const carry = newest
        ? carryAfter(
            decodeRollupField(newest.blob, "last", -Infinity, newest.end).v,
            decodeRollupField(newest.blob, "counter", -Infinity, newest.end).v,
          )
        : newCarry();
      const tail = pointsField(rollupSamples(raw.t, raw.v, step, carry), field);
      const first = tail.t.findIndex((t) => t >= hints.start);
      if (first >= 0) parts.push({ t: tail.t.subarray(first), v: tail.v.subarray(first) });
    }
    let series = concatenate(parts);
    if (series.t.length > 0) this.used = coarser(this.used, level);
    if (level === "1h" && hints.range === 0) series = densify(series, hints.end);
    return series;
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

/** One field of a blob's points; "avg" is each bucket's sum over its count. */
function readField(blob: Uint8Array, field: PointField, mint: number, maxt: number): DecodedChunk {
  if (field !== "avg") return decodeRollupField(blob, field, mint, maxt);
  const sum = decodeRollupField(blob, "sum", mint, maxt);
  const count = decodeRollupField(blob, "count", mint, maxt).v;
  const v = new Float64Array(sum.v.length);
  for (let i = 0; i < v.length; i++) {
    const s = sum.v[i]!;
    v[i] = isStaleNaN(s) ? s : s / count[i]!;
  }
  return { t: sum.t, v };
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
