import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPLICA_BUCKETS, type ReplicaHealthView } from "@/lib/replica-health";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { SessionUser } from "@/server/auth/session";
import { openMetricsDb, type MetricsDb } from "@/server/tsdb/db";
import type { LabelPairs } from "@/server/tsdb/labels";
import { instantQuery, rangeQuery } from "@/server/tsdb/prom-api";
import { PromApiError } from "@/server/tsdb/prom-errors";
import { TsdbQuerier } from "@/server/tsdb/querier";
import { TsdbWriter } from "@/server/tsdb/writer";
import {
  hasPrometheus,
  PROMTOOL_BIN,
  startPrometheusWithHistory,
  type PrometheusServer,
} from "@/test/prometheus-server";
import {
  datasourceRunner,
  HISTORY_FRESH_MS,
  ReplicaHistoryCache,
  replicaHealth,
  replicaSummary,
  upSelector,
  type PromRunner,
} from "./replica-health";

// "Now" is ten minutes past a half hour; scrapes every 15 s land at :10, :25, :40 and :55
// past each minute, never on a bucket boundary, and exactly 5,760 of them fall in the
// 24 hours to now.
const NOW = Date.parse("2025-06-01T12:10:00Z");
const at = (hhmmss: string) => Date.parse(`2025-06-01T${hhmmss}Z`);
const SCRAPES = 5800;
const scrapeTime = (i: number) => NOW - 5000 - i * 15_000;

const YAML = `
environments: [{ id: production, name: Production }, { id: staging, name: Staging }]
services:
  - id: navi
    name: Navi
    environments: { production: { url: "http://127.0.0.1:1" }, staging: { url: "http://127.0.0.1:1" } }
monitors:
  - { id: navi-health, service: navi, environment: staging, type: http, url: "http://127.0.0.1:1/health" }
scrape:
  interval: 15s
  targets:
    - id: navi-staging
      service: navi
      environment: staging
      urls: ["http://10.0.0.1:9100/metrics", "http://10.0.0.2:9100/metrics", "http://10.0.0.3:9100/metrics"]
    - { id: navi-production, service: navi, environment: production, urls: ["http://10.0.1.1:9100/metrics"] }
`;

const A = "10.0.0.1:9100"; // up now; down for 90 scrapes from 10:00:10
const B = "10.0.0.2:9100"; // up until 10:09:55, then never scraped again: stale
const C = "10.0.0.3:9100"; // never scraped
const P = "10.0.1.1:9100"; // production: down for the last 90 scrapes, from 11:47:40

function upValue(instance: string, t: number): number | undefined {
  if (instance === A) return t >= at("10:00:10") && t <= at("10:22:25") ? 0 : 1;
  if (instance === B) return t <= at("10:09:55") ? 1 : undefined;
  if (instance === P) return t >= at("11:47:40") ? 0 : 1;
  return undefined;
}

/** Every `up` sample of the history, oldest first. */
function forEachSample(fn: (job: string, instance: string, t: number, v: number) => void): void {
  for (let i = SCRAPES - 1; i >= 0; i--) {
    const t = scrapeTime(i);
    for (const [job, instance] of [
      ["navi-staging", A],
      ["navi-staging", B],
      ["navi-production", P],
    ] as const) {
      const v = upValue(instance, t);
      if (v !== undefined) fn(job, instance, t, v);
    }
  }
}

const viewer: SessionUser = { id: 1, email: "v@example.com", name: "V", role: "viewer" };

let mdb: MetricsDb;
let config: OpsdeckConfig;

function labels(job: string, instance: string): LabelPairs {
  return Object.entries({ __name__: "up", instance, job }).sort(([a], [b]) => (a < b ? -1 : 1));
}

function writeHistory(db: MetricsDb): void {
  const w = new TsdbWriter(db);
  forEachSample((job, instance, t, v) => w.append(labels(job, instance), t, v));
  w.commit(NOW);
  const status = db.prepare(
    `INSERT INTO targets (job, instance, url, health, last_scrape_at, duration_ms, samples, last_error, updated_at)
     VALUES (?, ?, ?, ?, ?, 3.5, 120, ?, ?)`,
  );
  status.run("navi-staging", A, `http://${A}/metrics`, "up", NOW - 5000, null, NOW);
  status.run("navi-staging", B, `http://${B}/metrics`, "up", at("10:09:55"), null, NOW);
  status.run(
    "navi-production",
    P,
    `http://${P}/metrics`,
    "down",
    NOW - 5000,
    `Get "http://${P}/metrics": dial tcp ${P}: connect: connection refused\n${"x".repeat(400)}`,
    NOW,
  );
}

/** The query path of the built-in store, in this thread (the query worker runs the same). */
function builtinRunner(db: MetricsDb): PromRunner & { calls: URLSearchParams[] } {
  const q = new TsdbQuerier(db);
  const calls: URLSearchParams[] = [];
  const run = async (kind: "instant" | "range", params: URLSearchParams) => {
    calls.push(params);
    return kind === "range" ? rangeQuery(params, q).data : instantQuery(params, NOW, q).data;
  };
  return Object.assign(run, { calls });
}

const fresh = () => ({ cache: new ReplicaHistoryCache(), waitMs: 60_000 });
const row = (view: ReplicaHealthView, instance: string) =>
  view.rows.find((r) => r.instance === instance)!;
const bar = (pairs: [number, number | null][], fill: number | null) => {
  const out: (number | null)[] = new Array(REPLICA_BUCKETS).fill(fill);
  for (const [i, v] of pairs) out[i] = v;
  return out;
};

beforeAll(() => {
  mdb = openMetricsDb(fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-replicas-")));
  writeHistory(mdb);
});

beforeEach(() => {
  config = parseConfigText(YAML, "test.yaml", () => undefined);
});

describe("replica health", () => {
  it("gives each replica of a service and environment its health now, last scrape, error, exact 24 h availability and half-hour bar", async () => {
    const view = await replicaHealth(
      viewer,
      mdb,
      config,
      { service: "navi", environment: "staging", page: 1 },
      { now: NOW, run: builtinRunner(mdb), ...fresh() },
    );
    expect(view.rows.map((r) => [r.instance, r.health, r.lastResult])).toEqual([
      [A, "up", "up"],
      [B, "stale", "up"],
      [C, "unknown", null],
    ]);
    expect(view.counts).toEqual({ up: 1, down: 0, stale: 1, unknown: 1, total: 3 });
    expect(row(view, A).lastScrapeAt).toBe(new Date(NOW - 5000).toISOString());
    expect(row(view, C).lastScrapeAt).toBeNull();
    // 90 of the 5,760 scrapes in the 24 hours were down: 5,670 / 5,760.
    expect(row(view, A).availability).toBe(0.984375);
    // B's scrapes in the window were all up; it has not been scraped for two hours,
    // which its health ("stale") and its bar say, not its availability.
    expect(row(view, B).availability).toBe(1);
    expect(row(view, C).availability).toBeNull();
    expect(view.history).toEqual({
      at: new Date(NOW).toISOString(),
      end: "2025-06-01T12:30:00.000Z",
      datasource: "builtin",
      note: null,
    });
    // Bucket 47 ends at 12:30, 43 at 10:30: (10:00, 10:30] held 30 scrapes up of 120.
    expect(row(view, A).buckets).toEqual(bar([[43, 0.25]], 1));
    // B: 40 scrapes up in (10:00, 10:30], none after.
    expect(row(view, B).buckets).toEqual(
      bar(
        [
          [44, null],
          [45, null],
          [46, null],
          [47, null],
        ],
        1,
      ),
    );
    expect(row(view, C).buckets).toEqual(bar([], null));
    expect(view.key).toBe("replicas:service=navi&environment=staging");
  });

  it("shows a down replica's error, on one line and trimmed, and its bar's down half hours", async () => {
    const view = await replicaHealth(
      viewer,
      mdb,
      config,
      { service: "navi", environment: "production", page: 1 },
      { now: NOW, run: builtinRunner(mdb), ...fresh() },
    );
    const p = row(view, P);
    expect(p.health).toBe("down");
    expect(
      p.lastError!.startsWith(
        `Get "http://${P}/metrics": dial tcp ${P}: connect: connection refused x`,
      ),
    ).toBe(true);
    expect(p.lastError!.length).toBe(300);
    expect(p.lastError!.endsWith("…")).toBe(true);
    expect(p.availability).toBe(0.984375);
    // (11:30, 12:00]: down from 11:47:40, 70 of 120 up; (12:00, 12:30]: every scrape down.
    expect(p.buckets.slice(44)).toEqual([1, 1, 70 / 120, 0]);
    expect(view.counts).toEqual({ up: 0, down: 1, stale: 0, unknown: 0, total: 1 });
  });

  it("reads the history in two queries over exactly the page's replicas", async () => {
    const run = builtinRunner(mdb);
    await replicaHealth(
      viewer,
      mdb,
      config,
      { service: "navi", environment: "staging", page: 1 },
      { now: NOW, run, ...fresh() },
    );
    expect(run.calls.map((p) => p.get("query"))).toEqual([
      'avg_over_time(up{job="navi-staging",instance=~"10\\\\.0\\\\.0\\\\.1:9100|10\\\\.0\\\\.0\\\\.2:9100|10\\\\.0\\\\.0\\\\.3:9100"}[24h])',
      'avg_over_time(up{job="navi-staging",instance=~"10\\\\.0\\\\.0\\\\.1:9100|10\\\\.0\\\\.0\\\\.2:9100|10\\\\.0\\\\.0\\\\.3:9100"}[1799999ms])',
    ]);
    expect(run.calls[1]!.get("step")).toBe("1800");
    expect(upSelector([{ job: "a", instance: "h:1" }])).toBe('up{job="a",instance="h:1"}');
  });

  it("calls a replica stale once its last scrape is more than three intervals (and the commit's slack) old", () => {
    const last = NOW - 5000;
    const health = (now: number) =>
      replicaSummary(viewer, mdb, config, { service: "navi", environment: "staging" }, now)
        .groups[0]!.counts;
    expect(health(last + 3 * 15_000 + 2_000)).toMatchObject({ up: 1, stale: 1 });
    expect(health(last + 3 * 15_000 + 2_001)).toMatchObject({ up: 0, stale: 2 });
  });

  it("pages more than 50 replicas, counting every one", async () => {
    const urls = Array.from({ length: 60 }, (_, i) => `"http://10.1.0.${i}:9100/metrics"`);
    const many = parseConfigText(
      YAML.replace(/urls: \["http:\/\/10\.0\.0\.1[^\]]*\]/, `urls: [${urls.join(", ")}]`),
      "many.yaml",
      () => undefined,
    );
    const spec = { service: "navi", environment: "staging" };
    const run = builtinRunner(mdb);
    const first = await replicaHealth(
      viewer,
      mdb,
      many,
      { ...spec, page: 1 },
      { now: NOW, run, ...fresh() },
    );
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]!.instance).toBe("10.1.0.0:9100");
    expect(first.pages).toBe(2);
    expect(first.counts).toEqual({ up: 0, down: 0, stale: 0, unknown: 60, total: 60 });
    const past = await replicaHealth(
      viewer,
      mdb,
      many,
      { ...spec, page: 9 },
      { now: NOW, run, ...fresh() },
    );
    expect(past.page).toBe(2);
    expect(past.rows.map((r) => r.instance)).toEqual(
      Array.from({ length: 10 }, (_, i) => `10.1.0.${50 + i}:9100`),
    );
    expect(past.key).toBe("replicas:service=navi&environment=staging&page=2");
    // The second page's history asks for its own ten replicas only.
    expect(run.calls.at(-1)!.get("query")).toContain('instance=~"10\\\\.1\\\\.0\\\\.50:9100|');
    expect(run.calls.at(-1)!.get("query")).not.toContain("10\\\\.1\\\\.0\\\\.49:9100");
  });

  it("refuses a user without the viewer role before reading anything", async () => {
    const nobody = { ...viewer, role: "guest" } as unknown as SessionUser;
    const run = builtinRunner(mdb);
    await expect(
      replicaHealth(
        nobody,
        mdb,
        config,
        { service: "", environment: "", page: 1 },
        { now: NOW, run, ...fresh() },
      ),
    ).rejects.toThrow("not allowed");
    expect(() =>
      replicaSummary(nobody, mdb, config, { service: "", environment: "" }, NOW),
    ).toThrow("not allowed");
    expect(run.calls).toEqual([]);
  });
});

describe("the replica summary", () => {
  it("counts each service × environment, troubled ones first", () => {
    const all = replicaSummary(viewer, mdb, config, { service: "", environment: "" }, NOW);
    expect(all.groups.map((g) => [g.service, g.environment, g.counts])).toEqual([
      ["navi", "staging", { up: 1, down: 0, stale: 1, unknown: 1, total: 3 }],
      ["navi", "production", { up: 0, down: 1, stale: 0, unknown: 0, total: 1 }],
    ]);
    expect(all.total).toBe(2);
    expect(all.troubled).toBe(2);
    expect(all.counts).toEqual({ up: 1, down: 1, stale: 1, unknown: 1, total: 4 });
    expect(all.key).toBe("replica-summary:");
    const staging = replicaSummary(
      viewer,
      mdb,
      config,
      { service: "", environment: "staging" },
      NOW,
    );
    expect(staging.groups).toHaveLength(1);
    expect(staging.key).toBe("replica-summary:environment=staging");
  });
});

describe("the history cache", () => {
  it("reads again only after HISTORY_FRESH_MS, and answers without the history rather than wait for a busy store", async () => {
    const cache = new ReplicaHistoryCache();
    const spec = { service: "navi", environment: "production", page: 1 };
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const inner = builtinRunner(mdb);
    const calls: string[] = [];
    const slow: PromRunner = async (kind, params) => {
      calls.push(kind);
      await gate;
      return inner(kind, params);
    };
    const first = await replicaHealth(viewer, mdb, config, spec, {
      now: NOW,
      run: slow,
      cache,
      waitMs: 0,
    });
    expect(first.history.note).toBe("The 24 h history is still being read; it follows shortly.");
    expect(first.rows[0]!.availability).toBeNull();
    expect(first.rows[0]!.health).toBe("down");
    release();
    await cache.settled();
    const second = await replicaHealth(viewer, mdb, config, spec, {
      now: NOW + 5000,
      run: slow,
      cache,
      waitMs: 0,
    });
    expect(second.history.note).toBeNull();
    expect(second.rows[0]!.availability).toBe(0.984375);
    expect(second.history.at).toBe(new Date(NOW).toISOString());
    expect(calls).toEqual(["instant", "range"]);
    await replicaHealth(viewer, mdb, config, spec, {
      now: NOW + HISTORY_FRESH_MS,
      run: slow,
      cache,
      waitMs: 60_000,
    });
    expect(calls).toEqual(["instant", "range", "instant", "range"]);
  });

  it("says why the history is missing when the store fails, without credentials from a URL", async () => {
    const failing: PromRunner = async () => {
      throw new PromApiError(
        "unavailable",
        "the prometheus datasource (http://ops:hunter2@prom:9090) is unreachable",
      );
    };
    const view = await replicaHealth(
      viewer,
      mdb,
      config,
      { service: "navi", environment: "production", page: 1 },
      { now: NOW, run: failing, ...fresh() },
    );
    expect(view.history.note).toBe(
      "The 24 h history could not be read: the prometheus datasource (http://prom:9090) is unreachable",
    );
    expect(view.rows[0]!.health).toBe("down");
    expect(view.rows[0]!.buckets).toEqual([]);
  });
});

describe("a prometheus datasource", () => {
  const ds = (url: string) => ({ type: "prometheus" as const, url, timeout: 5000 });

  it("is asked the same queries by POST, and its error envelope is an error, not an empty answer", async () => {
    const asked: { url: string; body: string }[] = [];
    const fake: typeof fetch = async (url, init) => {
      asked.push({ url: String(url), body: String(init?.body) });
      return Response.json(
        { status: "error", errorType: "bad_data", error: "parse error" },
        { status: 400 },
      );
    };
    const run = datasourceRunner(ds("http://prom.internal:9090"), fake);
    const err = await run("instant", new URLSearchParams({ query: "up" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromApiError);
    expect((err as Error).message).toBe("the prometheus datasource answered bad_data: parse error");
    expect(asked).toEqual([{ url: "http://prom.internal:9090/api/v1/query", body: "query=up" }]);
  });

  const installed = hasPrometheus() && fs.existsSync(PROMTOOL_BIN);
  describe.skipIf(!installed)("against Prometheus 2.42 with the same history", () => {
    let prom: PrometheusServer;
    beforeAll(async () => {
      const lines = ["# TYPE up gauge"];
      forEachSample((job, instance, t, v) =>
        lines.push(`up{job="${job}",instance="${instance}"} ${v} ${t / 1000}`),
      );
      lines.push("# EOF", "");
      prom = await startPrometheusWithHistory(lines.join("\n"));
    }, 60_000);
    afterAll(async () => {
      await prom?.stop();
    });

    it("gives the same availability and bars as the built-in store", async () => {
      const prometheusConfig = {
        ...config,
        metrics: { ...config.metrics, datasource: ds(prom.url) },
      };
      for (const environment of ["staging", "production"]) {
        const spec = { service: "navi", environment, page: 1 };
        const builtin = await replicaHealth(viewer, mdb, config, spec, {
          now: NOW,
          run: builtinRunner(mdb),
          ...fresh(),
        });
        const remote = await replicaHealth(viewer, mdb, prometheusConfig, spec, {
          now: NOW,
          ...fresh(),
        });
        expect(remote.history.datasource).toBe("prometheus");
        expect(remote.history.note).toBeNull();
        expect(remote.rows).toEqual(builtin.rows);
      }
    });
  });
});
