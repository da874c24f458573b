import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleEngine } from "@/scripts/engine-bundle.mjs";
import { getMetricsDb } from "./db";
import { PromApiError } from "./prom-errors";
import { queryInWorker } from "./query-pool";
import { TsdbWriter } from "./writer";

const T0 = Date.UTC(2026, 11, 1);

beforeAll(async () => {
  // The bundle the pool runs outside production, as `npm run dev` makes it.
  await bundleEngine({
    entry: "server/tsdb/query-worker.ts",
    outfile: path.join(process.cwd(), "node_modules", ".cache", "opsdeck", "query.mjs"),
    sourcemap: "inline",
  });
  // The worker opens metrics.db in the same (temporary) data directory as this thread.
  const w = new TsdbWriter(getMetricsDb());
  for (let s = 0; s < 200; s++)
    for (let i = 0; i < 2000; i++)
      w.append(
        [
          ["__name__", "load_total"],
          ["series", String(s)],
        ],
        T0 + i * 15_000,
        i * (s + 1),
      );
  w.commit();
}, 60_000);

const params = (p: Record<string, string>) => new URLSearchParams(p);

describe("the query worker", () => {
  it("answers PromQL from metrics.db off the HTTP thread, with Prometheus's JSON", async () => {
    const { data } = await queryInWorker(
      "instant",
      params({ query: 'load_total{series="3"}', time: String((T0 + 1999 * 15_000) / 1000) }),
    );
    expect(data).toEqual({
      resultType: "vector",
      result: [
        {
          metric: { __name__: "load_total", series: "3" },
          value: [(T0 + 1999 * 15_000) / 1000, String(1999 * 4)],
        },
      ],
    });
  });

  it("returns a bad query's error type and message, and keeps answering", async () => {
    const bad = await queryInWorker("instant", params({ query: "rate(load_total)" })).catch(
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(PromApiError);
    expect((bad as PromApiError).errorType).toBe("bad_data");
    expect((bad as PromApiError).message).toMatch(/^invalid parameter "query": /);
    const ok = await queryInWorker("instant", params({ query: "vector(1)", time: "100" }));
    expect(ok.data).toEqual({ resultType: "vector", result: [{ metric: {}, value: [100, "1"] }] });
  });

  it("refuses queries past the queue's bound instead of queueing without end", async () => {
    const heavy = {
      query: "sum(rate(load_total[1h]))",
      start: String(T0 / 1000),
      end: String((T0 + 1999 * 15_000) / 1000),
      step: "15",
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () => queryInWorker("range", params(heavy))),
    );
    const refused = outcomes.filter(
      (o) => o.status === "rejected" && (o.reason as PromApiError).errorType === "unavailable",
    );
    const answered = outcomes.filter((o) => o.status === "fulfilled");
    expect(refused.length).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThanOrEqual(32);
    expect(refused.length + answered.length).toBe(40);
  }, 120_000);
});
