import "server-only";
import type { Statement } from "better-sqlite3";
import type { LabelMatcher } from "@/lib/promql/ast";
import { compareLabels } from "@/lib/promql/eval-labels";
import { matcherTest } from "@/lib/promql/matcher";
import { parseMetricSelector, PromQLParseError } from "@/lib/promql/parse";
import type { Labels } from "@/lib/promql/storage";
import type { MetricsConfig } from "@/server/config/metrics-schema";
import { getMetricsDb, type MetricsDb } from "./db";
import { parseTimeParam } from "./prom-api";
import { PromApiError, promSuccess } from "./prom-errors";
import { TsdbQuerier } from "./querier";
import { forwardToDatasource } from "./remote-datasource";
import { ALL_TIME, isAllTime, SeriesLookup, type TimeRange } from "./series-lookup";

// Prometheus's metadata endpoints over the built-in store: /api/v1/series, /labels and
// /label/<name>/values, with their start, end, match[] and limit parameters as current
// Prometheus reads them, and a cap of the server's own on every answer.

/** The most series, names or values one answer holds, whatever its `limit` asks. */
export const MAX_LOOKUP_RESULTS = 50_000;
/** Prometheus's warning when `limit` cut the answer. */
export const LIMIT_WARNING = "results truncated due to limit";
/** Opsdeck's warning when its own cap cut the answer (Prometheus has none). */
export const capWarning = (cap: number) =>
  `results truncated to the server's maximum of ${cap}; narrow match[], start and end`;

/** What a metadata request asks for. `limit` 0 is none, as in Prometheus. */
export type Lookup = { selectors: LabelMatcher[][]; range: TimeRange; limit: number };

/** An answer: the list, and the warnings Prometheus puts beside `data` when it was cut. */
export type Listing<T> = { data: T[]; warnings: string[] };

type Endpoint = "series" | "labels" | "label_values";

/** The parameters in Prometheus's order, so the same bad request gets the same error first. */
export function parseLookup(params: URLSearchParams, endpoint: Endpoint): Lookup {
  const match = params.getAll("match[]");
  if (endpoint === "series" && match.length === 0)
    throw new PromApiError("bad_data", "no match[] parameter provided");
  const limit = parseLimit(params.get("limit"));
  const start = parseTimeParam(params.get("start"), "start", -Infinity);
  const end = parseTimeParam(params.get("end"), "end", Infinity);
  // /series names the parameter in its errors; /labels and /label/…/values do not.
  const selectors = parseSelectors(
    match,
    endpoint === "series" ? 'invalid parameter "match[]": ' : "",
  );
  return { selectors, range: { start, end }, limit };
}

/** Go's strconv.Atoi, then Prometheus's check: a whole number, 0 or more. */
function parseLimit(text: string | null): number {
  if (text === null || text === "") return 0;
  const refuse = (why: string) => new PromApiError("bad_data", `invalid parameter "limit": ${why}`);
  const atoi = `strconv.Atoi: parsing ${JSON.stringify(text)}`;
  if (!/^[+-]?\d+$/.test(text)) throw refuse(`${atoi}: invalid syntax`);
  const n = BigInt(text);
  if (n >= 2n ** 63n || n < -(2n ** 63n)) throw refuse(`${atoi}: value out of range`);
  if (n < 0n) throw refuse("limit must be non-negative");
  // Anything past the cap is the cap: the number itself may not fit a double.
  return n > BigInt(MAX_LOOKUP_RESULTS) ? MAX_LOOKUP_RESULTS + 1 : Number(n);
}

/** Every selector parsed first (the first syntax error wins), then each checked for a non-empty matcher. */
export function parseSelectors(match: string[], prefix: string): LabelMatcher[][] {
  const selectors = match.map((m) => {
    try {
      return parseMetricSelector(m);
    } catch (err) {
      if (err instanceof PromQLParseError) throw new PromApiError("bad_data", prefix + err.message);
      throw err;
    }
  });
  for (const matchers of selectors)
    if (matchers.every((m) => matcherTest(m)("")))
      throw new PromApiError(
        "bad_data",
        `${prefix}match[] must contain at least one non-empty matcher`,
      );
  return selectors;
}

/** /label/<name>/values: the name from the path, a Prometheus label name or a 400. */
export function labelNameParam(pathname: string): string {
  const raw = pathname.split("/").at(-2) ?? "";
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // A malformed escape is a name no series has: refused below like any other.
  }
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
    throw new PromApiError("bad_data", `invalid label name: ${JSON.stringify(name)}`);
  return name;
}

/** How many a lookup may answer with: the limit, never past the server's cap. */
function answerSize(limit: number, cap: number): number {
  return limit > 0 ? Math.min(limit, cap) : cap;
}

/** Cuts a list read one past its answer size, with the warning that says why it was cut. */
function cut<T>(items: T[], limit: number, cap: number): Listing<T> {
  const size = answerSize(limit, cap);
  if (items.length <= size) return { data: items, warnings: [] };
  const warning = limit > 0 && limit <= cap ? LIMIT_WARNING : capWarning(cap);
  return { data: items.slice(0, size), warnings: [warning] };
}

/** Prometheus's JSON for a listing: `warnings` only when there are some. */
export function listingResponse<T>(l: Listing<T>): Response {
  return promSuccess(l.data, l.warnings.length > 0 ? { warnings: l.warnings } : {});
}

/**
 * Label values in Go's string order (UTF-8 bytes), the order SQLite returns them in:
 * UTF-16 code units agree except between a surrogate and U+E000–U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x < 0xe000 ? 0x2000 : -0x800;
      y += y < 0xe000 ? 0x2000 : -0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * metrics.db as the metadata endpoints read it: the querier's postings for match[], the
 * lookup's time tests, and the Explore page's vocabulary, cached.
 */
export class MetadataStore {
  readonly querier: TsdbQuerier;
  readonly lookup: SeriesLookup;
  /** The server's cap on an answer (a test's may be smaller). */
  readonly maxResults: number;
  private readonly now: () => number;
  private readonly maxId: Statement<[], number | null>;
  private cached: { key: number | null; at: number; value: Vocabulary } | undefined;

  constructor(db: MetricsDb, opts: { now?: () => number; maxResults?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.maxResults = opts.maxResults ?? MAX_LOOKUP_RESULTS;
    this.querier = new TsdbQuerier(db);
    this.lookup = new SeriesLookup(db);
    this.maxId = db.prepare<[], number | null>("SELECT max(id) FROM series").pluck();
  }

  /** The series any selector matches, each once, in label order. */
  matching(selectors: LabelMatcher[][]): { id: number; labels: Labels }[] {
    // One selector's come in label order already.
    if (selectors.length === 1) return this.querier.matchSeries(selectors[0]!);
    const seen = new Map<number, Labels>();
    for (const sel of selectors)
      for (const s of this.querier.matchSeries(sel)) seen.set(s.id, s.labels);
    return [...seen]
      .map(([id, labels]) => ({ id, labels }))
      .sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /**
   * Metric and label names for the query box, read again once a series is added (the
   * newest id changes: one index seek to tell) or 30 s on, for series retention deleted.
   */
  vocabulary(): Vocabulary {
    const at = this.now();
    const key = this.maxId.get() ?? null;
    if (this.cached && this.cached.key === key && at - this.cached.at < VOCABULARY_TTL_MS)
      return this.cached.value;
    const value = {
      metricNames: this.lookup.labelValues("__name__", ALL_TIME, VOCABULARY_MAX),
      labelNames: this.lookup.labelNames(ALL_TIME, VOCABULARY_MAX),
    };
    this.cached = { key, at, value };
    return value;
  }
}

export type Vocabulary = { metricNames: string[]; labelNames: string[] };
const VOCABULARY_TTL_MS = 30_000;
/** Completions offered at most, of metric names and of label names each. */
const VOCABULARY_MAX = 10_000;

let builtin: MetadataStore | undefined;
function builtinStore(): MetadataStore {
  builtin ??= new MetadataStore(getMetricsDb());
  return builtin;
}

/** GET|POST /api/v1/series: the label sets of the series match[] selects with data in [start, end]. */
export function seriesMatching(l: Lookup, store = builtinStore()): Listing<Labels> {
  const matched = store.matching(l.selectors);
  const size = answerSize(l.limit, store.maxResults);
  const has = store.lookup.tester(l.range);
  const all = isAllTime(l.range);
  const out: Labels[] = [];
  for (const { id, labels } of matched) {
    if (!all && !has(id)) continue;
    out.push(labels);
    // One past the answer size tells cut() the answer was cut; nothing further is tested.
    if (out.length > size) break;
  }
  return cut(out, l.limit, store.maxResults);
}

/** GET|POST /api/v1/labels: label names of the series with data in [start, end] (match[] selects which). */
export function labelNames(l: Lookup, store = builtinStore()): Listing<string> {
  const size = answerSize(l.limit, store.maxResults);
  if (l.selectors.length === 0)
    return cut(store.lookup.labelNames(l.range, size + 1), l.limit, store.maxResults);
  const has = store.lookup.tester(l.range);
  const all = isAllTime(l.range);
  const names = new Set<string>();
  for (const { id, labels } of store.matching(l.selectors)) {
    // A series is tested only when it would add a name.
    if (Object.keys(labels).every((n) => names.has(n))) continue;
    if (!all && !has(id)) continue;
    for (const n of Object.keys(labels)) names.add(n);
  }
  return cut([...names].sort(compareCodePoints), l.limit, store.maxResults);
}

/** GET /api/v1/label/<name>/values: that label's values among the series with data in [start, end]. */
export function labelValues(name: string, l: Lookup, store = builtinStore()): Listing<string> {
  const size = answerSize(l.limit, store.maxResults);
  if (l.selectors.length === 0)
    return cut(store.lookup.labelValues(name, l.range, size + 1), l.limit, store.maxResults);
  const has = store.lookup.tester(l.range);
  const all = isAllTime(l.range);
  const values = new Set<string>();
  for (const { id, labels } of store.matching(l.selectors)) {
    const v = labels[name];
    if (v === undefined || values.has(v)) continue;
    if (!all && !has(id)) continue;
    values.add(v);
  }
  return cut([...values].sort(compareCodePoints), l.limit, store.maxResults);
}

/** Metric and label names for the Explore page's completions (at most 10,000 of each). */
export async function vocabulary(
  ds: MetricsConfig["datasource"],
  store?: MetadataStore,
): Promise<Vocabulary> {
  if (ds.type === "builtin") return (store ?? builtinStore()).vocabulary();
  const cap = (list: string[]) => list.slice(0, VOCABULARY_MAX);
  const read = async (path: string) => {
    try {
      const res = await forwardToDatasource(ds, path, new URLSearchParams());
      const json = (await res.json()) as { data?: unknown };
      return Array.isArray(json.data) ? cap(json.data.filter((x) => typeof x === "string")) : [];
    } catch {
      return [];
    }
  };
  const [metricNames, names] = await Promise.all([
    read("/api/v1/label/__name__/values"),
    read("/api/v1/labels"),
  ]);
  return { metricNames, labelNames: names };
}
