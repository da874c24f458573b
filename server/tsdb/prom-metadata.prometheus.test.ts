// /api/v1/series, /labels and /label/<name>/values with start and end, against a real
// Prometheus 2.42 holding the same samples (promtool's OpenMetrics backfill on one side,
// the import command's code on the other): the same requests get the same JSON, or the
// same error type, status and words. Prometheus 2.42 has no `limit` (newer versions
// do), so limit is tested in prom-metadata.test.ts alone.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createBlocks,
  PROMETHEUS_BIN,
  PROMTOOL_BIN,
  startPrometheus,
} from "@/test/prometheus-server";
import { openMetricsDb } from "./db";
import { importOpenMetrics } from "./import";
import { PromApiError, promError } from "./prom-errors";
import {
  labelNameParam,
  labelNames,
  labelValues,
  listingResponse,
  MetadataStore,
  parseLookup,
  seriesMatching,
} from "./prom-metadata";

const installed = fs.existsSync(PROMETHEUS_BIN) && fs.existsSync(PROMTOOL_BIN);
if (!installed && process.env.CI)
  throw new Error(`${PROMETHEUS_BIN} and ${PROMTOOL_BIN} are required on CI`);

/** A whole two hours (Unix seconds): Prometheus's blocks start on it. */
const T0 = 1_699_999_200;

/**
 * Each series within one two-hour block, no more than 120 samples, so each is one chunk
 * in both stores and Prometheus's block bounds are its series' bounds:
 *   a{x="1"}        T0 … T0+1h59m, every minute          (block 1)
 *   b{x="1"}        T0+2h … T0+2h59m, every minute       (block 2)
 *   c{y="w",z="1"}  T0+3h, once                          (block 2)
 *   a{x="2",y="z"}  T0+4h … T0+5h59m, every minute       (block 3)
 */
function history(): string {
  const lines = ["# TYPE a gauge"];
  for (let i = 0; i < 120; i++) lines.push(`a{x="1"} ${i} ${T0 + i * 60}`);
  for (let i = 0; i < 120; i++) lines.push(`a{x="2",y="z"} ${i} ${T0 + 4 * 3600 + i * 60}`);
  lines.push("# TYPE b gauge");
  for (let i = 0; i < 60; i++) lines.push(`b{x="1"} ${i} ${T0 + 2 * 3600 + i * 60}`);
  lines.push("# TYPE c gauge", `c{y="w",z="1"} 1 ${T0 + 3 * 3600}`, "# EOF", "");
  return lines.join("\n");
}

const iso = (s: number, offset = "Z") => {
  const shift = offset === "Z" ? 0 : (offset[0] === "-" ? -1 : 1) * Number(offset.slice(1, 3));
  return new Date((s + shift * 3600) * 1000).toISOString().replace(".000Z", offset);
};

/** Requests both stores answer alike: [path, parameters]. */
const SAME: [string, Record<string, string | string[]>][] = [
  ["series", { "match[]": "a" }],
  ["series", { "match[]": "a", start: `${T0}`, end: `${T0 + 3600}` }],
  // The last sample of a{x="1"}, as both bounds, then a second after it.
  ["series", { "match[]": "a", start: `${T0 + 7140}`, end: `${T0 + 7140}` }],
  ["series", { "match[]": "a", start: `${T0 + 7141}` }],
  ["series", { "match[]": "a", start: `${T0 + 7141}`, end: `${T0 + 4 * 3600 - 1}` }],
  // 0.0005 s after it: Go rounds that to the sample's millisecond.
  ["series", { "match[]": "a", start: `${T0 + 7140}.0005`, end: `${T0 + 7200}` }],
  ["series", { "match[]": "a", start: `${T0 + 7140}.001`, end: `${T0 + 7200}` }],
  ["series", { "match[]": "a", start: `${T0 + 7139}.9995`, end: `${T0 + 7139}.9995` }],
  [
    "series",
    {
      "match[]": '{__name__=~"a|b"}',
      start: iso(T0 + 2 * 3600 + 1800, "+01:00"),
      end: iso(T0 + 5 * 3600),
    },
  ],
  ["series", { "match[]": ["a", 'b{x="1"}', "c"], start: iso(T0 + 3600), end: iso(T0 + 7200) }],
  ["series", { "match[]": "a", start: `${T0 + 3600}`, end: `${T0}` }],
  [
    "series",
    {
      "match[]": '{x=~".+"}',
      start: "-292273086-05-16T16:47:06Z",
      end: "292277025-08-18T07:12:54.999999999Z",
    },
  ],
  ["series", { "match[]": "a", start: `${T0 - 86_400}`, end: `${T0 - 1}` }],
  ["labels", {}],
  ["labels", { start: `${T0 + 4 * 3600}` }],
  ["labels", { start: `${T0}`, end: `${T0 + 3600}` }],
  ["labels", { "match[]": "b", start: `${T0}`, end: `${T0 + 2 * 3600}` }],
  ["labels", { "match[]": ["c", 'a{x="2"}'], start: `${T0 + 3 * 3600}` }],
  ["labels", { start: `${T0 + 9 * 3600}`, end: `${T0 + 10 * 3600}` }],
  ["label/x/values", {}],
  ["label/x/values", { start: `${T0 + 4 * 3600}` }],
  ["label/x/values", { end: `${T0 + 3600}` }],
  ["label/y/values", { "match[]": "a", start: `${T0}`, end: `${T0 + 3 * 3600}` }],
  ["label/y/values", { "match[]": '{__name__=~".+"}', start: `${T0 + 3 * 3600}.000` }],
  ["label/__name__/values", { start: `${T0 + 2 * 3600}`, end: `${T0 + 4 * 3600 - 1}` }],
  ["label/__name__/values", { start: iso(T0 + 5 * 3600, "-05:00") }],
  ["label/nope/values", {}],
  // Refused: the same type and status, and the same words but for 2.42's capital I.
  ["series", {}],
  ["series", { "match[]": "a", start: "abc" }],
  ["labels", { end: "2023-02-29T00:00:00Z" }],
  ["labels", { start: "2023-11-14T22:00:00.1234567891Z" }],
  ["label/x/values", { start: "2023-11-14T24:00:00Z" }],
  ["series", { "match[]": "a{" }],
  ["labels", { "match[]": "a{" }],
  ["label/x/values", { "match[]": ["a", "b{"] }],
  ["series", { "match[]": '{x=""}' }],
  ["labels", { "match[]": ["a", '{x=~".*"}'] }],
  ["label/1x/values", {}],
];

/**
 * Requests where Prometheus 2.42 answers more: its label names and values come from
 * every block the range touches, where Opsdeck tests each series' chunks as /series does.
 * Opsdeck's answer must be the part of Prometheus's whose series have data in the range.
 */
const NARROWER: [string, Record<string, string>, unknown[]][] = [
  // b's samples end a minute before c's one sample, in the same block.
  ["labels", { start: `${T0 + 3 * 3600}`, end: `${T0 + 3 * 3600}` }, ["__name__", "y", "z"]],
  ["label/x/values", { start: `${T0 + 10770}`, end: `${T0 + 10790}` }, []],
  [
    "labels",
    { "match[]": '{__name__=~".+"}', start: `${T0 + 10790}`, end: `${T0 + 10800}` },
    ["__name__", "y", "z"],
  ],
];

describe.skipIf(!installed)("the metadata endpoints against Prometheus 2.42", () => {
  let dir = "";
  let prom: { url: string; stop(): Promise<void> } | undefined;
  let store: MetadataStore;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-metadata-"));
    // Two-hour blocks stay two-hour blocks: compacted ones would span several series.
    prom = await startPrometheus({
      dataDir: createBlocks(history(), dir),
      flags: ["--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h"],
    });
    const db = openMetricsDb(path.join(dir, "opsdeck"));
    expect(importOpenMetrics(db, history())).toMatchObject({ samples: 301, refused: 0 });
    store = new MetadataStore(db);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const query = (p: Record<string, string | string[]>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(p)) for (const x of [v].flat()) q.append(k, x);
    return q;
  };

  async function theirs(endpoint: string, p: Record<string, string | string[]>) {
    const res = await fetch(`${prom!.url}/api/v1/${endpoint}?${query(p)}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Opsdeck's answer to the same request, as its route would send it. */
  async function ours(endpoint: string, p: Record<string, string | string[]>) {
    const params = query(p);
    let res: Response;
    try {
      if (endpoint === "series")
        res = listingResponse(seriesMatching(parseLookup(params, "series"), store));
      else if (endpoint === "labels")
        res = listingResponse(labelNames(parseLookup(params, "labels"), store));
      else {
        const name = labelNameParam(`/api/v1/${endpoint}`);
        res = listingResponse(labelValues(name, parseLookup(params, "label_values"), store));
      }
    } catch (err) {
      if (!(err instanceof PromApiError)) throw err;
      res = promError(err.errorType, err.message);
    }
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("gives the same JSON for the same request, or the same refusal", async () => {
    const problems: string[] = [];
    for (const [endpoint, p] of SAME) {
      const [t, o] = [await theirs(endpoint, p), await ours(endpoint, p)];
      // 2.42 words a bad time "Invalid time value"; current Prometheus, as Opsdeck, "invalid".
      const norm = (b: Record<string, unknown>) =>
        typeof b.error === "string"
          ? { ...b, error: b.error.replace("Invalid time", "invalid time") }
          : b;
      if (t.status !== o.status || JSON.stringify(norm(t.body)) !== JSON.stringify(norm(o.body)))
        problems.push(
          `${endpoint} ${JSON.stringify(p)}:\n  prometheus ${t.status} ${JSON.stringify(t.body)}\n  opsdeck    ${o.status} ${JSON.stringify(o.body)}`,
        );
    }
    expect(problems).toEqual([]);
    // The requests cover answers with data, empty ones and refusals.
    const answers = await Promise.all(SAME.map(([e, p]) => ours(e, p)));
    const kinds = answers.map((a) =>
      a.status !== 200 ? "refused" : (a.body.data as unknown[]).length > 0 ? "data" : "empty",
    );
    expect([
      kinds.filter((k) => k === "data").length,
      kinds.filter((k) => k === "empty").length,
      kinds.filter((k) => k === "refused").length,
    ]).toEqual([21, 6, 11]);
  }, 60_000);

  it("answers within Prometheus's block-wide names and values: the series with data", async () => {
    for (const [endpoint, p, expected] of NARROWER) {
      const [t, o] = [await theirs(endpoint, p), await ours(endpoint, p)];
      expect(o.body).toEqual({ status: "success", data: expected });
      const wider = t.body.data as unknown[];
      expect(wider.length).toBeGreaterThan(expected.length);
      expect(wider).toEqual(expect.arrayContaining(expected));
    }
  }, 60_000);
});
