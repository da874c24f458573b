import client from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import type { Db } from "@/server/db";
import { auditLog } from "@/server/db/schema";
import { addressKey, Buckets, DenialLog } from "./rate-limit";
import { apiRoute } from "./route";
import { flushRefusals, resetRouteLimitsForTests } from "./route-limits";

describe("token buckets", () => {
  const limit = { requests: 3, perMs: 3000 };

  it("allow a burst, then refuse with the time until the next request is free, then refill", () => {
    const b = new Buckets();
    expect([0, 0, 0].map((t) => b.take("k", limit, t).ok)).toEqual([true, true, true]);
    expect(b.take("k", limit, 0)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(b.take("k", limit, 500)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(b.take("k", limit, 1000).ok).toBe(true);
    expect(b.take("other", limit, 1000).ok).toBe(true);
  });

  it("peek never spends, and remembers no key it has not seen spent", () => {
    const b = new Buckets();
    for (let i = 0; i < 10; i++) expect(b.peek("k", limit, 0).ok).toBe(true);
    expect(b.size).toBe(0);
  });

  it("keep a bounded number of keys, forgetting the least recently used", () => {
    const b = new Buckets(100);
    for (let i = 0; i < 1000; i++) b.take(`k${i}`, limit, 0);
    expect(b.size).toBe(100);
  });
});

describe("refusal log", () => {
  it("sums a key's refusals over its window and hands them over once the window ends", () => {
    const log = new DenialLog(60_000, 2);
    const rows: unknown[] = [];
    for (let t = 0; t < 1000; t++)
      log.note({ limiter: "x", key: "k", actor: "a", ip: "1.2.3.4", reason: "r" }, t);
    expect(log.flush(59_999, (r) => rows.push(r))).toBe(0);
    expect(log.flush(60_000, (r) => rows.push(r))).toBe(1);
    expect(rows).toEqual([
      { limiter: "x", key: "k", actor: "a", ip: "1.2.3.4", from: 0, to: 999, counts: { r: 1000 } },
    ]);
  });

  it("past maxRows keys, the rest are summed into one row", () => {
    const log = new DenialLog(1000, 2);
    for (let i = 0; i < 10; i++)
      log.note({ limiter: "x", key: `k${i}`, actor: "a", ip: null, reason: "r" }, 0);
    const rows: { key: string; counts: Record<string, number> }[] = [];
    log.flush(1000, (r) => rows.push(r));
    expect(rows.map((r) => [r.key, r.counts.r])).toEqual([
      ["k0", 1],
      ["k1", 1],
      ["8 more keys", 8],
    ]);
  });
});

describe("address keys", () => {
  it("IPv4 per address; IPv6 per /64, however it is written", () => {
    expect(addressKey("192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("2001:db8:0:1::5")).toBe("2001:db8:0:1::/64");
    expect(addressKey("2001:0db8:0000:0001:ffff:0:0:1")).toBe("2001:db8:0:1::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey(null)).toBe("unknown");
  });
});

describe("a bearer route without limits of its own (e.g. /api/metrics)", () => {
  let db: Db;
  beforeEach(() => {
    resetRouteLimitsForTests();
    db = freshDb();
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  });
  afterEach(() => void vi.useRealTimers());

  const scrape = apiRoute({
    name: "test.scrape",
    auth: {
      bearer: () => "scrape-token-0123456789abcdef0123456789",
      openWhenUnset: true,
      actor: "scraper",
    },
    handler: () => ({ scraped: true }),
  });
  const get = (token: string) =>
    scrape(
      new Request("http://opsdeck.test/api/metrics", {
        headers: { authorization: `Bearer ${token}`, "x-opsdeck-client-ip": "192.0.2.9" },
      }),
      { params: Promise.resolve({}) },
    );

  it("still throttles wrong tokens per address, and audits them once per window", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 500; i++) statuses.push((await get(`wrong-${i}`)).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(490);
    expect(db.select().from(auditLog).all()).toEqual([]);
    flushRefusals(Date.now() + 61_000);
    expect(db.select().from(auditLog).all()).toMatchObject([
      {
        action: "test.scrape.throttled",
        outcome: "denied",
        ip: "192.0.2.9",
        details: { refused: 500, counts: { wrong_auth: 10, blocked_after_wrong_auth: 490 } },
      },
    ]);
    const metric = await client.register.getSingleMetric("opsdeck_http_refused_total")!.get();
    expect(metric.values).toContainEqual(
      expect.objectContaining({
        labels: { limiter: "test.scrape", reason: "wrong_auth" },
        value: 10,
      }),
    );
    // The right token is not rate limited on such a route.
    resetRouteLimitsForTests();
    for (let i = 0; i < 1000; i++)
      expect((await get("scrape-token-0123456789abcdef0123456789")).status).toBe(200);
  });
});
