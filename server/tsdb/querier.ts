import "server-only";
import type { Statement } from "better-sqlite3";
import { decodeChunkRange, type DecodedChunk } from "@/lib/metrics/chunk";
import { compileFullMatch } from "@/lib/patterns";
import type { LabelMatcher } from "@/lib/promql/ast";
import { compareLabels } from "@/lib/promql/eval-labels";
import type { Labels, Querier, SelectHints, SeriesData } from "@/lib/promql/storage";
import type { MetricsDb } from "./db";
import { labelsFromKey, toRecord } from "./labels";
import { CHUNK_SPAN_MS } from "./writer";

type Test = (value: string) => boolean;

/** A matcher as a test of a label's value; a missing label is the empty string. */
export function matcherTest(m: LabelMatcher): Test {
  switch (m.op) {
    case "=":
      return (v) => v === m.value;
    case "!=":
      return (v) => v !== m.value;
    case "=~":
    case "!~": {
      const re = compileFullMatch(m.value);
      if (typeof re === "string") throw new Error(`invalid regular expression: ${re}`);
      return m.op === "=~" ? re : (v) => !re(v);
    }
  }
}

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
    chunks: Statement<[number, number, number, number], { data: Buffer }>;
    head: Statement<[number, number, number], { data: Buffer }>;
  };
  /** Samples read by the last `select` calls (the evaluator's budget counts them too). */
  samplesRead = 0;

  constructor(private readonly db: MetricsDb) {
    this.stmt = {
      byValue: db.prepare("SELECT series_id FROM postings WHERE name = ? AND value = ?"),
      byName: db.prepare("SELECT value, series_id FROM postings WHERE name = ? ORDER BY value"),
      key: db.prepare("SELECT key FROM series WHERE id = ?"),
      chunks: db.prepare(
        `SELECT data FROM chunks WHERE series_id = ? AND first_t >= ? AND first_t <= ?
           AND last_t >= ? ORDER BY first_t`,
      ),
      head: db.prepare(
        "SELECT data FROM head WHERE series_id = ? AND first_t <= ? AND last_t >= ?",
      ),
    };
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
    const out: SeriesData[] = [];
    for (const { id, labels } of this.matchSeries(matchers)) {
      const rows = this.stmt.chunks.all(id, hints.start - CHUNK_SPAN_MS, hints.end, hints.start);
      const head = this.stmt.head.get(id, hints.end, hints.start);
      if (head) rows.push(head);
      const parts = rows.map((row) =>
        decodeChunkRange(
          new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.length),
          hints.start,
          hints.end,
        ),
      );
      const series = concatenate(parts);
      this.samplesRead += series.t.length;
      if (series.t.length > 0) out.push({ labels, ...series });
    }
    return out;
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

/**
 * One series' samples from its chunks, in Float64Arrays: a plain JS array may rewrite
 * a NaN's bits, and the staleness marker is a NaN told apart by its bits. Chunks of one
 * series overlap only when history was imported beside what was scraped: then samples
 * are sorted by time, the first of equal timestamps kept.
 */
function concatenate(parts: DecodedChunk[]): { t: Float64Array; v: Float64Array } {
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((sum, p) => sum + p.t.length, 0);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let at = 0;
  let ordered = true;
  for (const p of parts) {
    if (p.t.length === 0) continue;
    if (at > 0 && p.t[0]! <= t[at - 1]!) ordered = false;
    t.set(p.t, at);
    v.set(p.v, at);
    at += p.t.length;
  }
  if (ordered) return { t, v };
  const order = Array.from(t, (_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
  const outT = new Float64Array(n);
  const outV = new Float64Array(n);
  let k = 0;
  for (const i of order) {
    if (k > 0 && outT[k - 1] === t[i]) continue;
    outT[k] = t[i]!;
    outV[k] = v[i]!;
    k++;
  }
  return { t: outT.subarray(0, k), v: outV.subarray(0, k) };
}

function intersect(a: Set<number>, b: Set<number>): Set<number> {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const x of small) if (large.has(x)) out.add(x);
  return out;
}
