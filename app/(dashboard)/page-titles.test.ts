import { beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import type { SessionUser } from "@/server/auth/session";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import { alerts, deployments, jobs } from "@/server/db/schema";
import * as alertPage from "./alerts/[id]/page";
import * as rulePage from "./alerts/rules/[id]/page";
import * as deploymentPage from "./deployments/[id]/page";
import * as jobPage from "./jobs/[id]/page";
import * as runbookPage from "./runbooks/[slug]/page";
import * as monitorPage from "./uptime/[id]/page";

const user: SessionUser = { id: 1, email: "viewer@example.com", name: "V", role: "viewer" };
vi.mock("@/server/auth/session", () => ({
  requirePageUser: async () => user,
  getSessionUser: async () => user,
}));

let db: Db;
beforeAll(() => {
  db = freshDb();
  setConfigForTests(
    parseConfigText(
      `
environments: [{ id: production, name: Production }]
services:
  - id: backend
    name: Navi backend
    environments: { production: { url: "http://127.0.0.1:1" } }
monitors:
  - { id: api, name: API health, type: http, service: backend, environment: production, url: "http://127.0.0.1:1/health" }
alerts:
  rules:
    - { id: api-down, name: API down, severity: critical, condition: { type: job } }
`,
      "test.yaml",
      () => undefined,
    ),
  );
  const at = new Date("2026-12-01T10:00:00Z");
  db.insert(deployments)
    .values({
      id: 7,
      service: "backend",
      environment: "production",
      version: "1.4.2",
      status: "succeeded",
      source: "ci",
      reportedBy: "ci",
      startedAt: at,
    })
    .run();
  db.insert(alerts)
    .values({
      id: 12,
      ruleId: "api-down",
      fingerprint: "fp",
      labels: {},
      severity: "critical",
      summary: "API is down",
      state: "firing",
      activeAt: at,
      lastActiveAt: at,
    })
    .run();
  db.insert(jobs)
    .values({ id: 5, kind: "audit.verify", params: {}, requestedByName: "admin" })
    .run();
});

type Meta = { generateMetadata: (p: never) => Promise<{ title?: unknown }> };
const title = async (mod: Meta, params: Record<string, string>) =>
  (await mod.generateMetadata({ params: Promise.resolve(params) } as never)).title;

describe("page titles name the thing, then the section", () => {
  it("a deployment: version and service", async () => {
    expect(await title(deploymentPage, { id: "7" })).toBe("Deployment 1.4.2 · Navi backend");
  });
  it("an alert: number, rule and Alerts", async () => {
    expect(await title(alertPage, { id: "12" })).toBe("Alert #12 API down · Alerts");
  });
  it("a rule, a monitor, a job, a runbook", async () => {
    expect(await title(rulePage, { id: "api-down" })).toBe("Rule API down · Alerts");
    expect(await title(monitorPage, { id: "api" })).toBe("API health · Uptime");
    expect(await title(jobPage, { id: "5" })).toMatch(/^Job #5 .+ · Jobs$/);
    expect(await title(runbookPage, { slug: "rollback" })).toMatch(/^.+ · Runbooks$/);
  });
  it("a thing that does not exist is Not found, whatever the id looks like", async () => {
    expect(await title(deploymentPage, { id: "8" })).toBe("Not found");
    expect(await title(deploymentPage, { id: "x" })).toBe("Not found");
    expect(await title(alertPage, { id: "99" })).toBe("Not found");
    expect(await title(rulePage, { id: "nope" })).toBe("Not found");
    expect(await title(monitorPage, { id: "nope" })).toBe("Not found");
    expect(await title(jobPage, { id: "6" })).toBe("Not found");
    expect(await title(runbookPage, { slug: "../../etc/passwd" })).toBe("Not found");
  });
});
