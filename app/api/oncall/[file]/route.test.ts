import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { auditLog } from "@/server/db/schema";
import { flushRefusals, resetRouteLimitsForTests } from "@/server/http/route-limits";
import { GET } from "./route";

let db: Db;
beforeEach(() => {
  resetRouteLimitsForTests();
  db = freshDb();
  setConfigForTests(
    parseConfigText(
      `environments: [{ id: production, name: Production }]\n`,
      "t.yaml",
      () => undefined,
    ),
  );
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
});
afterEach(() => void vi.useRealTimers());

const feed = (token: string) =>
  GET(
    new Request(`http://opsdeck.test/api/oncall/primary.ics?token=${token}`, {
      headers: { "x-opsdeck-client-ip": "192.0.2.44" },
    }),
    { params: Promise.resolve({ file: "primary.ics" }) },
  );

describe("GET /api/oncall/{schedule}.ics", () => {
  it("guessed calendar tokens are throttled per address and audited once with a count", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++)
      statuses.push((await feed(`cal_${String(i).padStart(24, "x")}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(90).fill(429));
    flushRefusals(Date.now() + 61_000);
    expect(db.select().from(auditLog).all()).toMatchObject([
      {
        action: "oncall.calendar.throttled",
        targetId: "address 192.0.2.44",
        details: { refused: 100, counts: { wrong_auth: 10, blocked_after_wrong_auth: 90 } },
      },
    ]);
  });
});
