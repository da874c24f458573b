import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStaleNaN } from "@/lib/metrics/stale";
import type { LabelMatcher } from "@/lib/promql/ast";
import { parseConfigText } from "@/server/config/load";
import { openMetricsDb, type MetricsDb } from "./db";
import { TsdbQuerier } from "./querier";
import { ReplicaScraper, scrapeOffsetMs, scrapeSpecs } from "./scraper";
import { TsdbWriter } from "./writer";

type Reply = { status?: number; type?: string; body: string; delayMs?: number };
let reply: Reply = { body: "" };
let lastHeaders: http.IncomingHttpHeaders = {};
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    lastHeaders = req.headers;
    const r = reply;
    setTimeout(() => {
      res.writeHead(r.status ?? 200, { "content-type": r.type ?? "text/plain; version=0.0.4" });
      res.end(r.body);
    }, r.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const env: Record<string, string> = { TOKEN: "scrape-token-value" };

function setup(targetExtra = "", scrapeExtra = "") {
  const config = parseConfigText(
    `
environments: [{ id: production, name: Production }]
services: [{ id: backend, name: Navi, environments: {} }]
scrape:
${scrapeExtra}
  targets:
    - id: navi
      service: backend
      environment: production
      urls: ["${base}/metrics"]
      timeout: 1s
      labels: { region: eu }
${targetExtra}
`,
    "test.yaml",
    (n) => env[n],
  );
  const db = openMetricsDb(fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-scrape-")));
  const writer = new TsdbWriter(db);
  const spec = scrapeSpecs(config)[0]!;
  return { db, writer, scraper: new ReplicaScraper(spec, writer), spec };
}

const name = (n: string): LabelMatcher => ({ name: "__name__", op: "=", value: n });
const all = { start: 0, end: Number.MAX_SAFE_INTEGER, step: 0, func: undefined, range: 0 };

function read(db: MetricsDb, ...matchers: LabelMatcher[]) {
  return new TsdbQuerier(db).select(matchers, all);
}

const T0 = 1_764_000_000_000;

const BODY = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",code="200"} 1027
http_requests_total{method="POST",code="500",job="exporter-own"} 3
# TYPE go_goroutines gauge
go_goroutines 12
`;

describe("scraping one replica", () => {
  it("stores every sample under the target's labels and records up, duration and counts", async () => {
    const { db, writer, scraper } = setup(`      bearerToken: \${TOKEN}`);
    reply = { body: BODY };
    const r = await scraper.scrape(T0);
    writer.commit();
    expect(r).toMatchObject({ ok: true, error: undefined, scraped: 3, kept: 3 });
    expect(lastHeaders.authorization).toBe("Bearer scrape-token-value");
    expect(lastHeaders.accept).toMatch(/^application\/openmetrics-text;version=1\.0\.0/);
    expect(lastHeaders["x-prometheus-scrape-timeout-seconds"]).toBe("1");
    const got = read(db, name("http_requests_total")).map((s) => s.labels);
    const instance = new URL(base).host;
    expect(got).toEqual(
      expect.arrayContaining([
        {
          __name__: "http_requests_total",
          code: "200",
          environment: "production",
          instance,
          job: "navi",
          method: "GET",
          region: "eu",
          service: "backend",
        },
        // The exporter's own job label is kept as exported_job (honor_labels: false).
        expect.objectContaining({ job: "navi", exported_job: "exporter-own", code: "500" }),
      ]),
    );
    const up = read(db, name("up"));
    expect(up).toHaveLength(1);
    expect(Array.from(up[0]!.v)).toEqual([1]);
    expect(up[0]!.labels).toEqual({
      __name__: "up",
      environment: "production",
      instance,
      job: "navi",
      region: "eu",
      service: "backend",
    });
    expect(read(db, name("scrape_samples_scraped"))[0]!.v[0]).toBe(3);
    expect(read(db, name("scrape_duration_seconds"))[0]!.v[0]).toBeGreaterThan(0);
  });

  it("marks a series the target stopped exposing stale at the next scrape", async () => {
    const { db, writer, scraper } = setup();
    reply = { body: BODY };
    await scraper.scrape(T0);
    reply = { body: BODY.replace("go_goroutines 12\n", "") };
    await scraper.scrape(T0 + 15_000);
    writer.commit();
    const g = read(db, name("go_goroutines"))[0]!;
    expect(Array.from(g.t)).toEqual([T0, T0 + 15_000]);
    expect(isStaleNaN(g.v[1]!)).toBe(true);
  });

  it("drops and keeps by metricRelabel before the sample limit counts", async () => {
    const { db, writer, scraper } = setup(
      `      metricRelabel: [{ action: drop, regex: "go_.*" }]`,
      "  limits: { samples: 2 }",
    );
    reply = { body: BODY };
    const r = await scraper.scrape(T0);
    writer.commit();
    expect(r).toMatchObject({ ok: true, scraped: 3, kept: 2 });
    expect(read(db, name("go_goroutines"))).toEqual([]);
    expect(read(db, name("scrape_samples_post_metric_relabeling"))[0]!.v[0]).toBe(2);
  });

  type Limits = { samples: number; bodyBytes: number };
  it.each<[string, (l: Limits) => void, Reply, RegExp]>([
    [
      "a sample limit",
      (l) => (l.samples = 2),
      { body: BODY },
      /^sample limit 2 exceeded: the target returned 3 samples/,
    ],
    ["an HTTP error", () => {}, { status: 503, body: "down" }, /^server returned HTTP status 503/],
    [
      "a body over the size limit",
      (l) => (l.bodyBytes = 1024),
      { body: BODY + "#\n".repeat(1000) },
      /^body size limit exceeded/,
    ],
    ["a parse error", () => {}, { body: 'x{a="1} 2\n' }, /line 1/],
    ["a timeout", () => {}, { body: BODY, delayMs: 1500 }, /^timed out after 1s/],
  ])(
    "fails the scrape on %s: up 0, the reason shown, the old data kept and its series stale",
    async (_what, limit, bad, reason) => {
      const { db, writer, scraper } = setup();
      reply = { body: BODY };
      expect((await scraper.scrape(T0)).ok).toBe(true);
      limit(scraper.spec.limits);
      reply = bad;
      const r = await scraper.scrape(T0 + 15_000);
      writer.commit();
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(reason);
      expect(Array.from(read(db, name("up"))[0]!.v)).toEqual([1, 0]);
      const g = read(db, name("go_goroutines"))[0]!;
      expect(g.v[0]).toBe(12);
      expect(isStaleNaN(g.v[1]!)).toBe(true);
    },
  );

  it("says connection refused for a replica that is not listening", async () => {
    const { scraper } = setup();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    (scraper.spec as { url: string }).url = `http://127.0.0.1:${port}/metrics`;
    const r = await scraper.scrape(T0);
    expect(r).toMatchObject({ ok: false, error: "connection refused" });
  });

  it("spreads replicas over the interval, the same place every time", () => {
    const spec = { job: "navi", instance: "a:1", intervalMs: 15_000 };
    const offset = scrapeOffsetMs(spec);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(15_000);
    expect(scrapeOffsetMs(spec)).toBe(offset);
    expect(scrapeOffsetMs({ ...spec, instance: "b:1" })).not.toBe(offset);
  });
});
