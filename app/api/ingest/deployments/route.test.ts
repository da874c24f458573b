import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { auditLog, deployments } from "@/server/db/schema";
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

  it("an unknown service or environment is a 400 naming the field", async () => {
    expect((await send({ ...report, service: "nope" })).body.issues).toEqual([
      expect.objectContaining({ path: "service" }),
    ]);
    expect((await send({ ...report, service: "web" })).body.issues).toEqual([
      expect.objectContaining({ path: "environment" }),
    ]);
  });
});
