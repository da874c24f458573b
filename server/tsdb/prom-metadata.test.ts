import { beforeAll, describe, expect, it, vi } from "vitest";
import type { MetricsDb } from "./db";
import type { LabelPairs } from "./labels";
import {
  capWarning,
  labelNameParam,
  labelNames,
  labelValues,
  LIMIT_WARNING,
  listingResponse,
  MAX_LOOKUP_RESULTS,
  MetadataStore,
  parseLookup,
  seriesMatching,
  type Listing,
} from "./prom-metadata";
import { PromApiError } from "./prom-errors";
import { applyRetention } from "./retention";
import { Meta, META, Rollup } from "./rollup";
import { FIXTURE_T0, freshDb, SCRAPE_MS } from "./rollup-fixtures";
import { TsdbWriter } from "./writer";
import { ChunkCompactor } from "./compact";

// Counts every decode of a chunk or a rollup row: a metadata lookup must decode none.
const decoded = vi.hoisted(() => ({
  count: 0,
  /** The module with the named functions counting their calls. */
  counting<M extends object>(real: M, names: (keyof M & string)[]): M {
    const out = { ...real } as Record<string, unknown>;
    for (const name of names) {
      const f = real[name] as (...args: unknown[]) => unknown;
      out[name] = (...args: unknown[]) => {
        decoded.count++;
        return f(...args);
      };
    }
    return out as M;
  },
}));
vi.mock("@/lib/metrics/rollup-chunk", async (importOriginal) =>
  decoded.counting(await importOriginal<typeof import("@/lib/metrics/rollup-chunk")>(), [
    "decodeRollup",
    "decodeRollupField",
  ]),
);
vi.mock("@/lib/metrics/chunk", async (importOriginal) =>
  decoded.counting(await importOriginal<typeof import("@/lib/metrics/chunk")>(), [
    "decodeChunk",
    "decodeChunkRange",
  ]),
);

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = FIXTURE_T0;
/** The one sample of http_requests_total{code="500"}: an exact bound to test. */
const LONE = NOW - 90 * MIN;
/** The last sample of http_requests_total{code="200"}. */
const WEB_LAST = NOW - HOUR - SCRAPE_MS;

const pairs = (name: string, labels: Record<string, string>): LabelPairs =>
  Object.entries({ __name__: name, ...labels }).sort(([a], [b]) => (a < b ? -1 : 1));

function scrape(w: TsdbWriter, labels: LabelPairs, from: number, until: number): void {
  for (let t = from; t < until; t += SCRAPE_MS) w.append(labels, t, 1);
}

/**
 * A store after retention ran (raw 15 d, 5-minute 90 d, hourly 400 d):
 *   up{a}     the last 3 hours (closed chunks and the open one), and 2 h 30 days ago
 *             (5-minute rollups only now)
 *   up{b}     2 h 20 days ago (5-minute rollups only)
 *   up{c}     2 h 100 days ago (hourly rollups only)
 *   http_requests_total{200}  from 2 h to 1 h ago; {500} one sample 90 minutes ago
 *   queue_depth  one sample 10 minutes ago
 */
async function history(): Promise<MetricsDb> {
  const db = freshDb();
  const w = new TsdbWriter(db);
  const up = (instance: string, job = "api") => pairs("up", { instance, job });
  scrape(w, up("c", "batch"), NOW - 100 * DAY, NOW - 100 * DAY + 2 * HOUR);
  w.commit();
  scrape(w, up("a"), NOW - 30 * DAY, NOW - 30 * DAY + 2 * HOUR);
  scrape(w, up("b"), NOW - 20 * DAY, NOW - 20 * DAY + 2 * HOUR);
  w.commit();
  scrape(w, up("a"), NOW - 3 * HOUR, NOW);
  scrape(w, pairs("http_requests_total", { code: "200", job: "web" }), NOW - 2 * HOUR, NOW - HOUR);
  w.append(pairs("http_requests_total", { code: "500", job: "web" }), LONE, 1);
  w.append(pairs("queue_depth", { job: "batch", queue: "q1" }), NOW - 10 * MIN, 3);
  w.commit();
  new Rollup(db).runNow(NOW);
  await applyRetention(db, { raw: 15 * DAY, fiveMinute: 90 * DAY, hour: 400 * DAY }, NOW, {
    yield: false,
  });
  return db;
}

let db: MetricsDb;
let store: MetadataStore;
beforeAll(async () => {
  db = await history();
  store = new MetadataStore(db);
});

/** Seconds with three decimals, as Grafana sends them. */
const sec = (ms: number) => (ms / 1000).toFixed(3);

function params(p: Record<string, string | readonly string[]>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) for (const x of [v].flat()) out.append(k, x);
  return out;
}

const series = (p: Record<string, string | string[]>) =>
  seriesMatching(parseLookup(params(p), "series"), store);
const names = (p: Record<string, string | string[]> = {}) =>
  labelNames(parseLookup(params(p), "labels"), store);
const values = (name: string, p: Record<string, string | string[]> = {}) =>
  labelValues(name, parseLookup(params(p), "label_values"), store);
const ok = <T>(data: T[]): Listing<T> => ({ data, warnings: [] });

const upA = { __name__: "up", instance: "a", job: "api" };
const upB = { __name__: "up", instance: "b", job: "api" };
const upC = { __name__: "up", instance: "c", job: "batch" };
const web200 = { __name__: "http_requests_total", code: "200", job: "web" };
const web500 = { __name__: "http_requests_total", code: "500", job: "web" };
const queue = { __name__: "queue_depth", job: "batch", queue: "q1" };

describe("/api/v1/series, /labels and /label/<name>/values without start and end", () => {
  it("answer every series with data at any resolution, in label order", () => {
    expect(series({ "match[]": '{__name__=~".+"}' })).toEqual(
      ok([web200, web500, queue, upA, upB, upC]),
    );
    expect(names()).toEqual(ok(["__name__", "code", "instance", "job", "queue"]));
    expect(values("__name__")).toEqual(ok(["http_requests_total", "queue_depth", "up"]));
    expect(values("instance")).toEqual(ok(["a", "b", "c"]));
    expect(values("nope")).toEqual(ok([]));
  });

  it("union several match[] selectors, each series once", () => {
    expect(series({ "match[]": ["up", '{job="api"}', "queue_depth"] })).toEqual(
      ok([queue, upA, upB, upC]),
    );
    expect(names({ "match[]": ["queue_depth", 'http_requests_total{code="500"}'] })).toEqual(
      ok(["__name__", "code", "job", "queue"]),
    );
    expect(values("job", { "match[]": ['up{instance=~"a|c"}', "queue_depth"] })).toEqual(
      ok(["api", "batch"]),
    );
  });
});

describe("start and end", () => {
  it("keep the series whose raw chunks or open chunk hold data in the range", () => {
    const lastHour = { start: sec(NOW - HOUR), end: sec(NOW) };
    expect(series({ "match[]": '{job=~".+"}', ...lastHour })).toEqual(ok([queue, upA]));
    expect(names(lastHour)).toEqual(ok(["__name__", "instance", "job", "queue"]));
    expect(values("__name__", lastHour)).toEqual(ok(["queue_depth", "up"]));
    expect(values("job", { ...lastHour, "match[]": '{__name__=~"up|http.*"}' })).toEqual(
      ok(["api"]),
    );
    expect(names({ ...lastHour, "match[]": "http_requests_total" })).toEqual(ok([]));
  });

  it("include both bounds", () => {
    const at = (ms: number) => ({ "match[]": "http_requests_total", start: sec(ms), end: sec(ms) });
    expect(series(at(LONE))).toEqual(ok([web200, web500]));
    expect(series(at(LONE + 1))).toEqual(ok([web200]));
    // 1 ms earlier falls between {code="200"}'s closed chunk and its open one.
    expect(series(at(LONE - 1))).toEqual(ok([]));
    expect(series(at(WEB_LAST))).toEqual(ok([web200]));
    expect(series(at(WEB_LAST + 1))).toEqual(ok([]));
    expect(values("code", { start: sec(WEB_LAST), end: sec(NOW) })).toEqual(ok(["200"]));
    expect(values("code", { start: sec(WEB_LAST + 1), end: sec(NOW) })).toEqual(ok([]));
    expect(values("code", { start: sec(NOW - 5 * HOUR), end: sec(LONE) })).toEqual(
      ok(["200", "500"]),
    );
    expect(values("code", { start: sec(NOW - 5 * HOUR), end: sec(NOW - 2 * HOUR - 1) })).toEqual(
      ok([]),
    );
  });

  it("read RFC 3339 (any offset, up to nine decimals) and Unix seconds rounded as Go rounds them", () => {
    const iso = new Date(LONE).toISOString();
    expect(iso).toBe("2025-11-24T14:30:00.000Z");
    const lone = (start: string, end = start) =>
      series({ "match[]": 'http_requests_total{code="500"}', start, end }).data.length;
    expect(lone("2025-11-24T14:30:00Z")).toBe(1);
    expect(lone("2025-11-24T15:30:00+01:00")).toBe(1);
    expect(lone("2025-11-24T09:00:00-05:30")).toBe(1);
    expect(lone("2025-11-24T14:30:00.000999999Z")).toBe(1);
    expect(lone("2025-11-24T14:30:00.001Z")).toBe(0);
    expect(lone("2025-11-24T14:29:59.999Z")).toBe(0);
    expect(lone("2025-11-24T14:29:59.999Z", "2025-11-24T14:30:00,5Z")).toBe(1);
    expect(lone(String(LONE / 1000))).toBe(1);
    expect(lone(`${LONE / 1000}.0004`)).toBe(1);
    // 0.0005 s is 0.49996… ms as a double: Go rounds it down (JS's x * 1000 would round up).
    expect(lone(`${LONE / 1000}.0005`)).toBe(1);
    expect(lone(`${LONE / 1000}.0006`)).toBe(0);
    expect(lone(`${LONE / 1000 - 1}.9995`)).toBe(1);
    expect(lone(`${LONE / 1000 - 1}.9994`)).toBe(0);
    expect(lone(`${LONE / 1000}e0`)).toBe(1);
    expect(lone(`${LONE / 10_000_000}e4`)).toBe(1);
  });

  it("take the bounds Prometheus's clients send for an open range", () => {
    expect(
      values("instance", {
        start: "-292273086-05-16T16:47:06Z",
        end: "292277025-08-18T07:12:54.999999999Z",
      }),
    ).toEqual(ok(["a", "b", "c"]));
  });

  it("find series older than raw retention in the 5-minute and then the hourly rollups", () => {
    const day = (ago: number) => ({ start: sec(NOW - ago * DAY), end: sec(NOW - ago * DAY + DAY) });
    expect(values("instance", day(30))).toEqual(ok(["a"]));
    expect(values("instance", day(20))).toEqual(ok(["b"]));
    expect(values("instance", day(100))).toEqual(ok(["c"]));
    expect(values("instance", day(200))).toEqual(ok([]));
    expect(series({ "match[]": "up", ...day(100) })).toEqual(ok([upC]));
    expect(names(day(20))).toEqual(ok(["__name__", "instance", "job"]));
    // A range across the raw cut-off finds both sides.
    expect(values("instance", { start: sec(NOW - 25 * DAY), end: sec(NOW) })).toEqual(
      ok(["a", "b"]),
    );
    expect(new Meta(db).get(META.from("raw"))).toBe(NOW - 15 * DAY);
  });

  it("test overlap as Prometheus does, so an end before the start finds what spans both", () => {
    // up{a}'s chunks of the last 3 hours each hold 30 minutes: the first spans 0:10 and 0:20.
    const from = NOW - 3 * HOUR;
    const inverted = (start: number, end: number) =>
      values("instance", { start: sec(from + start * MIN), end: sec(from + end * MIN) });
    expect(inverted(20, 10)).toEqual(ok(["a"]));
    expect(inverted(35, 25)).toEqual(ok([]));
  });

  it("decode no chunk and no rollup row", () => {
    decoded.count = 0;
    values("__name__", { start: sec(NOW - 30 * DAY), end: sec(NOW) });
    names({ start: sec(NOW - 101 * DAY), end: sec(NOW) });
    series({ "match[]": "up", start: sec(NOW - HOUR), end: sec(NOW) });
    values("job", { "match[]": "up", start: sec(NOW - 100 * DAY), end: sec(NOW) });
    expect(decoded.count).toBe(0);
    // What a query of the last hour decodes instead: up{a}'s two 30-minute chunks.
    store.querier.select([{ name: "__name__", op: "=", value: "up" }], {
      start: NOW - HOUR,
      end: NOW,
      step: 0,
      func: undefined,
      range: 0,
    });
    expect(decoded.count).toBe(2);
  });
});

describe("limit", () => {
  it("cuts the answer and says so, as current Prometheus does", () => {
    expect(names({ limit: "2" })).toEqual({
      data: ["__name__", "code"],
      warnings: [LIMIT_WARNING],
    });
    expect(values("instance", { limit: "3" })).toEqual(ok(["a", "b", "c"]));
    expect(values("instance", { limit: "1", "match[]": "up" })).toEqual({
      data: ["a"],
      warnings: [LIMIT_WARNING],
    });
    expect(series({ "match[]": "up", limit: "2" })).toEqual({
      data: [upA, upB],
      warnings: [LIMIT_WARNING],
    });
    expect(series({ "match[]": "up", limit: "0" })).toEqual(ok([upA, upB, upC]));
    expect(series({ "match[]": "up", limit: "+2", start: sec(NOW - HOUR) })).toEqual(ok([upA]));
  });

  it("puts the warnings beside data in Prometheus's JSON, only when there are some", async () => {
    const cut = listingResponse(names({ limit: "1" }));
    expect(await cut.json()).toEqual({
      status: "success",
      data: ["__name__"],
      warnings: [LIMIT_WARNING],
    });
    expect(await listingResponse(values("queue")).json()).toEqual({
      status: "success",
      data: ["q1"],
    });
  });

  it("is never more than the server's cap", () => {
    const small = new MetadataStore(db, { maxResults: 2 });
    const lookup = (p: Record<string, string>) => parseLookup(params(p), "label_values");
    expect(labelValues("instance", lookup({}), small)).toEqual({
      data: ["a", "b"],
      warnings: [capWarning(2)],
    });
    expect(labelValues("instance", lookup({ limit: "5" }), small)).toEqual({
      data: ["a", "b"],
      warnings: [capWarning(2)],
    });
    expect(labelValues("instance", lookup({ limit: "2" }), small)).toEqual({
      data: ["a", "b"],
      warnings: [LIMIT_WARNING],
    });
    // Exactly as many as the cap and the limit: nothing was cut.
    expect(labelValues("code", lookup({ limit: "2" }), small)).toEqual(ok(["200", "500"]));
    expect(labelValues("code", lookup({}), small)).toEqual(ok(["200", "500"]));
    expect(labelValues("instance", lookup({ limit: "1" }), small)).toEqual({
      data: ["a"],
      warnings: [LIMIT_WARNING],
    });
    expect(seriesMatching(parseLookup(params({ "match[]": "up" }), "series"), small)).toEqual({
      data: [upA, upB],
      warnings: [capWarning(2)],
    });
    expect(labelNames(parseLookup(params({ "match[]": "up" }), "labels"), small)).toEqual({
      data: ["__name__", "instance"],
      warnings: [capWarning(2)],
    });
  });

  it("caps at 50,000 by default", () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    for (let i = 0; i <= MAX_LOOKUP_RESULTS; i++)
      w.append(pairs("x", { id: String(i).padStart(6, "0") }), NOW, 1);
    w.commit();
    const big = new MetadataStore(db);
    const all = labelValues("id", parseLookup(params({}), "label_values"), big);
    expect(all.data.length).toBe(MAX_LOOKUP_RESULTS);
    expect(all.data.at(-1)).toBe("049999");
    expect(all.warnings).toEqual([capWarning(MAX_LOOKUP_RESULTS)]);
    const lastMinute = parseLookup(params({ start: sec(NOW - MIN), "match[]": "x" }), "series");
    const s = seriesMatching(lastMinute, big);
    expect([s.data.length, s.data.at(-1), s.warnings]).toEqual([
      MAX_LOOKUP_RESULTS,
      { __name__: "x", id: "049999" },
      [capWarning(MAX_LOOKUP_RESULTS)],
    ]);
  });
});

describe("bad parameters get Prometheus's bad_data and its words", () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      if (err instanceof PromApiError) return `${err.errorType}: ${err.message}`;
      throw err;
    }
    throw new Error("expected a refusal");
  };

  it.each([
    ["series", {}, "bad_data: no match[] parameter provided"],
    [
      "series",
      { "match[]": "up", limit: "abc" },
      'bad_data: invalid parameter "limit": strconv.Atoi: parsing "abc": invalid syntax',
    ],
    [
      "labels",
      { limit: "1.5" },
      'bad_data: invalid parameter "limit": strconv.Atoi: parsing "1.5": invalid syntax',
    ],
    [
      "labels",
      { limit: "99999999999999999999" },
      'bad_data: invalid parameter "limit": strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
    ["labels", { limit: "-1" }, 'bad_data: invalid parameter "limit": limit must be non-negative'],
    [
      "labels",
      { start: "yesterday", limit: "x" },
      'bad_data: invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax',
    ],
    [
      "labels",
      { start: "yesterday" },
      `bad_data: invalid parameter "start": invalid time value for 'start': cannot parse "yesterday" to a valid timestamp`,
    ],
    [
      "label_values",
      { end: "2025-02-29T00:00:00Z" },
      `bad_data: invalid parameter "end": invalid time value for 'end': cannot parse "2025-02-29T00:00:00Z" to a valid timestamp`,
    ],
    [
      "series",
      { "match[]": "up", start: "2025-11-24T24:00:00Z" },
      `bad_data: invalid parameter "start": invalid time value for 'start': cannot parse "2025-11-24T24:00:00Z" to a valid timestamp`,
    ],
    [
      "series",
      { "match[]": "up", start: "2025-11-24T14:30:00.1234567891Z" },
      `bad_data: invalid parameter "start": invalid time value for 'start': cannot parse "2025-11-24T14:30:00.1234567891Z" to a valid timestamp`,
    ],
    [
      "series",
      { "match[]": "up{" },
      'bad_data: invalid parameter "match[]": 1:4: parse error: unexpected end of input inside braces',
    ],
    [
      "labels",
      { "match[]": "up{" },
      "bad_data: 1:4: parse error: unexpected end of input inside braces",
    ],
    [
      "series",
      { "match[]": '{job=""}' },
      'bad_data: invalid parameter "match[]": match[] must contain at least one non-empty matcher',
    ],
    [
      "label_values",
      { "match[]": ["up", '{job=~".*"}'] },
      "bad_data: match[] must contain at least one non-empty matcher",
    ],
    [
      "labels",
      { "match[]": ['{job=~".*"}', "up{"] },
      "bad_data: 1:4: parse error: unexpected end of input inside braces",
    ],
  ] as const)("%s %j", (endpoint, p, expected) => {
    expect(refusal(() => parseLookup(params(p), endpoint))).toBe(expected);
  });

  it("refuses a label name Prometheus 2.42 refuses, and a malformed escape", () => {
    expect(labelNameParam("/api/v1/label/job/values")).toBe("job");
    expect(labelNameParam("/api/v1/label/__name__/values")).toBe("__name__");
    expect(refusal(() => labelNameParam("/api/v1/label/1x/values"))).toBe(
      'bad_data: invalid label name: "1x"',
    );
    expect(refusal(() => labelNameParam("/api/v1/label/a%2Fb/values"))).toBe(
      'bad_data: invalid label name: "a/b"',
    );
    expect(refusal(() => labelNameParam("/api/v1/label/%E0%A4%A/values"))).toBe(
      'bad_data: invalid label name: "%E0%A4%A"',
    );
  });
});

describe("the Explore page's vocabulary", () => {
  it("is read once, and again when a series is added or 30 s have passed", () => {
    const db = freshDb();
    const w = new TsdbWriter(db);
    w.append(pairs("up", { job: "a" }), NOW, 1);
    w.commit();
    let now = 1_000_000;
    const cached = new MetadataStore(db, { now: () => now });
    expect(cached.vocabulary()).toEqual({ metricNames: ["up"], labelNames: ["__name__", "job"] });
    // Deleted behind its back: the cache answers until 30 s are up.
    db.prepare("DELETE FROM postings WHERE name = 'job'").run();
    now += 29_999;
    expect(cached.vocabulary().labelNames).toEqual(["__name__", "job"]);
    now += 1;
    expect(cached.vocabulary().labelNames).toEqual(["__name__"]);
    // A new series is seen at once.
    w.append(pairs("queue_depth", { queue: "q" }), NOW, 1);
    w.commit();
    expect(cached.vocabulary()).toEqual({
      metricNames: ["queue_depth", "up"],
      labelNames: ["__name__", "queue"],
    });
  });
});

describe("start and end over compacted blocks", () => {
  it("find a series whose closed chunks the compaction merged into block rows", () => {
    const cdb = freshDb();
    const w = new TsdbWriter(cdb);
    const old = pairs("up", { instance: "d", job: "api" });
    // Six hours that ended five hours ago: three finished blocks, all compacted.
    const from = NOW - 11 * HOUR;
    const until = NOW - 5 * HOUR;
    scrape(w, old, from, until);
    scrape(w, pairs("up", { instance: "e", job: "api" }), NOW - 10 * MIN, NOW);
    w.commit();
    new ChunkCompactor(cdb).runNow(NOW);
    const rows = (table: string) =>
      (cdb.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(rows("blocks")).toBeGreaterThan(0);
    expect(rows("chunks")).toBe(0);
    const cstore = new MetadataStore(cdb);
    const upD = { __name__: "up", instance: "d", job: "api" };
    const inRange = (start: number, end: number) =>
      seriesMatching(
        parseLookup(params({ "match[]": "up", start: sec(start), end: sec(end) }), "series"),
        cstore,
      ).data.filter((s) => s.instance === "d");
    expect(inRange(from + 3 * HOUR, from + 3 * HOUR + MIN)).toEqual([upD]);
    expect(inRange(from, from)).toEqual([upD]);
    expect(inRange(until - SCRAPE_MS, NOW)).toEqual([upD]);
    expect(inRange(until, NOW)).toEqual([]);
    expect(inRange(from - HOUR, from - 1)).toEqual([]);
    expect(
      labelValues(
        "instance",
        parseLookup(params({ start: sec(from + HOUR), end: sec(from + HOUR) }), "label_values"),
        cstore,
      ),
    ).toEqual(ok(["d"]));
  });
});
