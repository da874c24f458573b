import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { auditLog, deployments } from "@/server/db/schema";
import { flushRefusals, resetRouteLimitsForTests } from "@/server/http/route-limits";
import { POST } from "./route";

const TOKENS = {
  CI_TOKEN: "ci-token-0123456789abcdef0123456789abcdef",
  STAGING_TOKEN: "staging-token-0123456789abcdef0123456789",
};

const YAML = `
environments:
  - { id: production, name: Production, protected: true }
  - { id: staging, name: Staging }
services:
  - id: backend
    name: Backend
    environments:
      production: { url: "http://127.0.0.1:1" }
      staging: { url: "http://127.0.0.1:2" }
  - id: web
    name: Web
    environments:
      staging: { url: "http://127.0.0.1:3" }
integrations:
  - { id: ci, token: "\${CI_TOKEN}" }
  - { id: staging-ci, token: "\${STAGING_TOKEN}", services: [backend], environments: [staging] }
`;

let db: Db;
beforeEach(() => {
  resetRouteLimitsForTests();
  db = freshDb();
  setConfigForTests(parseConfigText(YAML, "test.yaml", (n) => TOKENS[n as keyof typeof TOKENS]));
});

const report = {
  service: "backend",
  environment: "production",
  version: "v1.4.2",
  status: "succeeded",
};

async function send(body: unknown, token = TOKENS.CI_TOKEN, ip = "192.0.2.1") {
  const res = await POST(
    new Request("http://opsdeck.test/api/ingest/deployments", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "x-opsdeck-client-ip": ip,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe("POST /api/ingest/deployments", () => {
  it("records a deploy from CI, audited as the integration", async () => {
    const res = await send(report);
    expect(res).toMatchObject({ status: 201, body: { id: expect.any(Number) } });
    expect(db.select().from(deployments).all()).toMatchObject([
      { version: "v1.4.2", status: "succeeded", reportedBy: "ci", source: "ci" },
    ]);
    expect(db.select().from(auditLog).all()).toMatchObject([
      { action: "deployments.ingest", actorName: "integration:ci", outcome: "success" },
    ]);
  });

  it.each([
    ["a NUL", "v1\u0000"],
    ["a control character", "v1\u001b[31m"],
    ["a newline", "v1\nv2"],
    ["a right-to-left override", "v1\u202egpj.exe"],
    ["a bidi isolate", "\u2066v1\u2069"],
    ["a space", "v1 hotfix"],
    ["shell syntax", "v1;rm -rf /"],
    ["a command substitution", "$(id)"],
    ["a leading dash (an option to a command)", "--help"],
  ])("refuses a version with %s: 400 naming the field, nothing stored", async (_what, version) => {
    const res = await send({ ...report, version });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/version/);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: "version" })]);
    expect(db.select().from(deployments).all()).toEqual([]);
  });

  it("accepts the versions people use: tags, semver with build metadata, branch-sha, image tags", async () => {
    for (const version of [
      "v41",
      "1.4.2+build.7",
      "main-1a2b3c4",
      "release/2026-11",
      "api@2.0.0",
    ]) {
      expect((await send({ ...report, version, externalId: version })).status, version).toBe(201);
    }
  });

  it.each([
    ["author", { author: "mallory\u202e" }],
    ["author", { author: "a\u0000b" }],
    ["message", { message: "fix\u0007bell" }],
    ["message", { message: "innocent \u2067looking" }],
    ["externalId", { externalId: "run-1\u0000" }],
    ["externalId", { externalId: "$(curl evil)" }],
  ])("refuses control or bidi characters in %s", async (field, extra) => {
    const res = await send({ ...report, ...extra });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: field })]);
    expect(res.body.error).toContain(field);
    expect(db.select().from(deployments).all()).toEqual([]);
  });

  it("keeps multi-line commit messages", async () => {
    expect((await send({ ...report, message: "Fix login\n\n\tDetails: …" })).status).toBe(201);
  });

  it("refuses a startedAt years ahead (it would stay live forever), allowing a little clock skew", async () => {
    const ahead = new Date(Date.now() + 3 * 365 * 86_400_000).toISOString();
    const res = await send({ ...report, status: "started", startedAt: ahead });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: "startedAt" })]);
    expect(res.body.error).toMatch(/startedAt.*ahead/);
    const finished = await send({ ...report, finishedAt: ahead });
    expect(finished.body.issues).toEqual([expect.objectContaining({ path: "finishedAt" })]);
    expect(db.select().from(deployments).all()).toEqual([]);

    const skewed = new Date(Date.now() + 2 * 60_000).toISOString();
    expect((await send({ ...report, status: "started", startedAt: skewed })).status).toBe(201);
  });

  it("refuses a finish before the start", async () => {
    const res = await send({
      ...report,
      startedAt: "2026-01-02T10:00:00Z",
      finishedAt: "2026-01-02T09:00:00Z",
    });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: "finishedAt" })]);
  });

  it("a token scoped to backend/staging reports there, and gets 403 (audited) for production", async () => {
    const ok = await send({ ...report, environment: "staging" }, TOKENS.STAGING_TOKEN);
    expect(ok.status).toBe(201);
    const prod = await send(report, TOKENS.STAGING_TOKEN);
    expect(prod.status).toBe(403);
    expect(prod.body.error).toMatch(/staging-ci.*backend\/production/);
    const web = await send(
      { ...report, service: "web", environment: "staging" },
      TOKENS.STAGING_TOKEN,
    );
    expect(web.status).toBe(403);
    expect(db.select().from(deployments).all()).toHaveLength(1);
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .map((r) => [r.actorName, r.outcome]),
    ).toEqual([
      ["integration:staging-ci", "success"],
      ["integration:staging-ci", "denied"],
      ["integration:staging-ci", "denied"],
    ]);
  });

  it("a second run of the same version started at the same moment is a 409, not a 500", async () => {
    const at = "2026-01-02T10:00:00.000Z";
    expect((await send({ ...report, startedAt: at, externalId: "run-1" })).status).toBe(201);
    const again = await send({ ...report, startedAt: at, externalId: "run-2" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/v1\.4\.2 .*already recorded/);
    expect(db.select().from(deployments).all()).toHaveLength(1);
  });

  it("an unknown service or environment is a 400 naming the field", async () => {
    expect((await send({ ...report, service: "nope" })).body.issues).toEqual([
      expect.objectContaining({ path: "service" }),
    ]);
    expect((await send({ ...report, service: "web" })).body.issues).toEqual([
      expect.objectContaining({ path: "environment" }),
    ]);
  });
});

// Thousands of requests through the whole route: slow on a busy machine, and never timed.
describe("floods", { timeout: 120_000 }, () => {
  // The clock stands still, so no budget refills while a flood is sent.
  beforeEach(() => void vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }));
  afterEach(() => void vi.useRealTimers());
  const throttledRows = () =>
    db.select().from(auditLog).where(eq(auditLog.action, "ingest.throttled")).all();

  it("5,000 CI reports with a valid token: most get 429 with Retry-After, the audit log grows by a bounded amount", async () => {
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    for (let i = 0; i < 5000; i++) {
      const res = await send({
        ...report,
        status: "failed",
        version: `v${i}`,
        externalId: `run-${i}`,
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 429) {
        retryAfter ??= res.headers.get("retry-after");
        expect(res.body.error).toMatch(
          /^Too many requests (for integration:ci|from this address); retry in \d+ s\.$/,
        );
      }
    }
    expect(statuses.get(429)).toBeGreaterThan(4500);
    expect((statuses.get(201) ?? 0) + (statuses.get(429) ?? 0)).toBe(5000);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(db.select().from(deployments).all().length).toBe(statuses.get(201));

    // Nothing about the refusals is written while the window is open, then one row per key
    // (the integration's budget, the address's) with the count.
    expect(throttledRows()).toEqual([]);
    flushRefusals(Date.now() + 61_000);
    const rows = throttledRows();
    expect(rows.map((r) => [r.targetId, r.outcome])).toEqual([
      ["integration:ci", "denied"],
      ["address 192.0.2.1", "denied"],
    ]);
    expect(rows.reduce((n, r) => n + (r.details as { refused: number }).refused, 0)).toBe(
      statuses.get(429),
    );
    expect(rows[0]).toMatchObject({
      actorName: "integration:ci",
      details: { counts: { rate_limited: expect.any(Number) } },
    });
    expect(db.select().from(auditLog).all().length).toBe((statuses.get(201) ?? 0) + 2);
  });

  it("5,000 wrong-token requests: throttled after a few, audited as one row with counts", async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const res = await send(report, `guess-${i}-0123456789abcdef0123456789`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(statuses.get(401)).toBeLessThanOrEqual(10);
    expect(statuses.get(429)).toBe(5000 - statuses.get(401)!);
    // The right token from the same address is refused too while the address is blocked…
    expect((await send(report)).status).toBe(429);
    // …but not from another address.
    expect((await send(report, TOKENS.CI_TOKEN, "198.51.100.7")).status).toBe(201);

    flushRefusals(Date.now() + 61_000);
    const rows = throttledRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorName: "anonymous",
      ip: "192.0.2.1",
      targetId: "address 192.0.2.1",
      details: { refused: 5001, counts: { wrong_auth: statuses.get(401) } },
    });
    const counts = (rows[0]!.details as { counts: Record<string, number> }).counts;
    // Refused for the wrong tokens first, then for the address's request budget as well.
    expect(counts.blocked_after_wrong_auth! + counts.rate_limited!).toBe(5001 - statuses.get(401)!);
    expect(JSON.stringify(rows)).not.toContain("guess-");
    expect(db.select().from(auditLog).all()).toHaveLength(2);
  });

  it("a flood from many addresses writes at most a bounded number of rows per window", async () => {
    for (let i = 0; i < 300; i++)
      await send(report, "wrong-token-0123456789abcdef0123456789", `203.0.113.${i % 250}`);
    flushRefusals(Date.now() + 61_000);
    const rows = throttledRows();
    expect(rows.length).toBeLessThanOrEqual(51);
    expect(rows.reduce((n, r) => n + Number((r.details as { refused: number }).refused), 0)).toBe(
      300,
    );
  });

  it("IPv6 addresses in one /64 share a budget", async () => {
    for (let i = 0; i < 10; i++)
      await send(
        report,
        "wrong-token-0123456789abcdef0123456789",
        `2001:db8:1:2::${i.toString(16)}`,
      );
    expect((await send(report, TOKENS.CI_TOKEN, "2001:db8:1:2:ffff::1")).status).toBe(429);
    expect((await send(report, TOKENS.CI_TOKEN, "2001:db8:1:3::1")).status).toBe(201);
  });

  it("the per-address budget covers every ingest route and every token", async () => {
    setConfigForTests(
      parseConfigText(
        `${YAML}ingest: { perAddress: 5/1m, perIntegration: 100/1m }\n`,
        "test.yaml",
        (n) => TOKENS[n as keyof typeof TOKENS],
      ),
    );
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push((await send({ ...report, version: `a${i}`, externalId: `a-${i}` })).status);
    for (let i = 0; i < 3; i++)
      codes.push(
        (
          await send(
            { ...report, environment: "staging", version: `b${i}`, externalId: `b-${i}` },
            TOKENS.STAGING_TOKEN,
          )
        ).status,
      );
    expect(codes).toEqual([201, 201, 201, 201, 201, 429, 429]);
    flushRefusals(Date.now() + 61_000);
    expect(
      db
        .select()
        .from(auditLog)
        .where(
          and(eq(auditLog.action, "ingest.throttled"), eq(auditLog.targetId, "address 192.0.2.1")),
        )
        .all(),
    ).toMatchObject([{ details: { counts: { rate_limited: 2 } } }]);
  });
});
