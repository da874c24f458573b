import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { SessionUser } from "@/server/auth/session";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { alerts, deployments } from "@/server/db/schema";
import { RECENT_DEPLOYMENTS } from "@/server/queries/search";
import { GET } from "./route";

let caller: SessionUser | null = null;
vi.mock("@/server/auth/session", () => ({ getSessionUser: async () => caller }));

const YAML = `
environments:
  - { id: production, name: Production }
services:
  - id: backend
    name: Navi backend
    environments:
      production: { url: "http://127.0.0.1:1" }
monitors:
  - id: backend-health
    name: Navi /health
    type: http
    service: backend
    environment: production
    url: "http://user:\${MONITOR_PASSWORD}@127.0.0.1:1/health"
`;

let db: Db;
beforeEach(() => {
  db = freshDb();
  caller = null;
  setConfigForTests(parseConfigText(YAML, "test.yaml", () => "hunter2-monitor-secret"));
});

type Group = { kind: string; items: { title: string; href: string }[]; more: number };

async function search(q: string) {
  const res = await GET(new Request(`http://opsdeck.test/api/search?q=${encodeURIComponent(q)}`), {
    params: Promise.resolve({}),
  });
  return { status: res.status, text: await res.text() };
}
const groups = (text: string) => (JSON.parse(text) as { groups: Group[] }).groups;
const hrefs = (text: string) => groups(text).flatMap((g) => g.items.map((i) => i.href));

function alert(id: number, state: "firing" | "pending" | "resolved", ruleId: string) {
  const at = new Date(Date.UTC(2026, 11, 1, 10, id));
  db.insert(alerts)
    .values({
      id,
      ruleId,
      fingerprint: `fp-${id}`,
      labels: { service: "backend", environment: "production" },
      severity: "critical",
      summary: "down",
      state,
      activeAt: at,
      lastActiveAt: at,
    })
    .run();
}

describe("GET /api/search", () => {
  it("401 without a session, and nothing found", async () => {
    const res = await search("navi");
    expect(res.status).toBe(401);
    expect(res.text).not.toContain("Navi");
  });

  it("400 with a clear message for a query over 200 characters", async () => {
    caller = await makeUser(db, "viewer");
    const res = await search("a".repeat(201));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatch(/at most 200 characters/);
    expect((await search("a".repeat(200))).status).toBe(200);
  });

  it("finds a monitor and a service by name, never a monitor's target", async () => {
    caller = await makeUser(db, "viewer");
    const res = await search("navi");
    expect(res.status).toBe(200);
    expect(hrefs(res.text)).toEqual(
      expect.arrayContaining(["/uptime/backend-health", "/deployments?service=backend"]),
    );
    expect(res.text).not.toContain("hunter2");
    expect(res.text).not.toContain("127.0.0.1");
  });

  it("a viewer does not find the Users page, which only admins may open", async () => {
    caller = await makeUser(db, "viewer");
    expect(hrefs((await search("users")).text)).not.toContain("/settings/users");
    caller = await makeUser(db, "admin");
    expect(hrefs((await search("users")).text)).toContain("/settings/users");
  });

  it("finds open alerts only", async () => {
    caller = await makeUser(db, "viewer");
    alert(1, "firing", "backend-down");
    alert(2, "pending", "backend-slow");
    alert(3, "resolved", "backend-gone");
    const found = groups((await search("backend")).text).find((g) => g.kind === "alert");
    expect(found?.items.map((i) => i.href)).toEqual(["/alerts/2", "/alerts/1"]);
  });

  it("finds the recent deployments only, newest first", async () => {
    caller = await makeUser(db, "viewer");
    for (let i = 1; i <= RECENT_DEPLOYMENTS + 5; i++) {
      db.insert(deployments)
        .values({
          id: i,
          service: "backend",
          environment: "production",
          version: `1.0.${i}`,
          status: "succeeded",
          source: "ci",
          reportedBy: "ci",
          startedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
        })
        .run();
    }
    const found = groups((await search("navi backend 1.0")).text).find(
      (g) => g.kind === "deployment",
    );
    expect(found?.items[0]?.title).toBe(`Navi backend 1.0.${RECENT_DEPLOYMENTS + 5}`);
    expect(found!.items.length + found!.more).toBe(RECENT_DEPLOYMENTS);
    expect(hrefs((await search("1.0.3")).text)).not.toContain("/deployments/3");
  });

  it("finds the runbooks and the docs shipped in docs/", async () => {
    caller = await makeUser(db, "viewer");
    const kinds = groups((await search("")).text).map((g) => g.kind);
    expect(kinds).toEqual(expect.arrayContaining(["page", "runbook", "doc"]));
  });
});
