import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { auditLog, checkResults } from "@/server/db/schema";
import { flushRefusals, resetRouteLimitsForTests } from "@/server/http/route-limits";
import { GET } from "./route";

const TOKEN = "hb-token-0123456789abcdef0123456789abcdef";
const YAML = `
environments: [{ id: production, name: Production }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" } } }
monitors:
  - { id: nightly, service: backend, environment: production, type: heartbeat, token: "\${HB}", period: 1d }
`;

let db: Db;
beforeEach(() => {
  resetRouteLimitsForTests();
  db = freshDb();
  setConfigForTests(parseConfigText(YAML, "test.yaml", (n) => (n === "HB" ? TOKEN : undefined)));
});

afterEach(() => {
  vi.useRealTimers();
});

async function ping(token: string, ip = "192.0.2.5") {
  const res = await GET(
    new Request(`http://opsdeck.test/api/ingest/heartbeat/${token}`, {
      headers: { "x-opsdeck-client-ip": ip },
    }),
    { params: Promise.resolve({ slug: [token] }) },
  );
  return res;
}

// Thousands of requests through the whole route: slow on a busy machine, and never timed.
describe("heartbeat pings under a flood", { timeout: 120_000 }, () => {
  // The clock stands still, so no budget refills while a flood is sent.
  beforeEach(() => void vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }));
  it("5,000 guessed ping URLs: 404 for the first few, then 429; one audit row with the count", async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const res = await ping(`guess${String(i).padStart(20, "0")}`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(statuses.get(404)).toBeLessThanOrEqual(10);
    expect(statuses.get(429)).toBe(5000 - statuses.get(404)!);
    expect(db.select().from(checkResults).all()).toEqual([]);
    flushRefusals(Date.now() + 61_000);
    const rows = db.select().from(auditLog).all();
    expect(rows).toMatchObject([
      { action: "ingest.throttled", targetId: "address 192.0.2.5", details: { refused: 5000 } },
    ]);
    expect(JSON.stringify(rows)).not.toContain("guess");
  });

  it("a real monitor's token has its own budget: a runaway cron job gets 429, others still ping", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++)
      statuses.push((await ping(TOKEN, `198.51.100.${i % 200}`)).status);
    expect(statuses.filter((s) => s === 200).length).toBe(120);
    expect(statuses.filter((s) => s === 429).length).toBe(80);
    const res = await ping(TOKEN, "198.51.100.250");
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    flushRefusals(Date.now() + 61_000);
    expect(
      db.select().from(auditLog).where(eq(auditLog.action, "ingest.throttled")).all(),
    ).toMatchObject([{ targetId: "heartbeat:nightly", details: { refused: 81 } }]);
  });
});
