import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRailway } from "@/e2e/fixtures/railway.mjs";
import { actAs, makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import { SecretValue } from "@/server/config/secret-value";
import type { Db } from "@/server/db";
import { deployments, jobs, type Deployment } from "@/server/db/schema";
import { commandProvider } from "./providers/command";
import { mapRailwayStatus, railwayProvider } from "./providers/railway";
import { upsertDeployment } from "./record";

let railway: Awaited<ReturnType<typeof startRailway>>;
let db: Db;

beforeAll(async () => {
  railway = await startRailway({ port: 0, deployDelayMs: 300 });
});
afterAll(() => railway.close());
beforeEach(async () => {
  db = freshDb();
  await fetch(`${railway.url}/__control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ reset: true }),
  });
});

const control = (body: object) =>
  fetch(`${railway.url}/__control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const ctx = () => jobContext(db, "deploy.action");

const web = () =>
  railwayProvider({
    provider: "railway",
    projectId: "project-opsdeck",
    serviceId: "service-web",
    environmentId: "env-production",
    token: new SecretValue("railway-e2e-token-0123456789"),
    endpoint: railway.endpoint,
  });

function platformRow(externalId: string, version: string, canRollback = true): Deployment {
  return upsertDeployment(db, {
    service: "web",
    environment: "production",
    version,
    status: "succeeded",
    startedAt: new Date(),
    externalId,
    canRollback,
    source: "platform",
    reportedBy: "railway",
  }).deployment;
}

describe("railway provider against a Railway-like GraphQL server", () => {
  it("lists deployments with statuses mapped and unknown ones kept unknown", async () => {
    const list = await web().list!();
    expect(list.map((d) => [d.externalId, d.status, d.providerStatus])).toEqual([
      ["dep-web-4", "failed", "FAILED"],
      ["dep-web-3", "succeeded", "SUCCESS"],
      ["dep-web-2", "succeeded", "REMOVED"],
      ["dep-web-1", "succeeded", "REMOVED"],
    ]);
    expect(list[1]).toMatchObject({
      version: "3d9b2e7",
      commitSha: expect.stringMatching(/^3d9b2e7/),
      message: "Add the uptime badge",
      canRollback: true,
    });
    expect(list[3]!.canRollback).toBe(false);
    expect(mapRailwayStatus("TELEPORTING")).toBe("unknown");
  });

  it("rolls back and waits until the new deployment succeeds", async () => {
    const target = platformRow("dep-web-2", "2c7a1d6");
    const c = ctx();
    const outcome = await web().deploy(c, "rollback", target, Date.now() + 20_000);
    expect(outcome).toMatchObject({ status: "succeeded", providerStatus: "SUCCESS" });
    const calls = (await (await fetch(`${railway.url}/__calls`)).json()) as {
      field: string;
      variables: { id?: string };
    }[];
    expect(calls.filter((x) => x.field === "deploymentRollback")).toEqual([
      expect.objectContaining({ variables: { id: "dep-web-2" } }),
    ]);
  });

  it("reports a crashed new deployment as failed, never as success", async () => {
    await control({ nextDeployOutcome: "CRASHED" });
    const outcome = await web().deploy(
      ctx(),
      "rollback",
      platformRow("dep-web-2", "2c7a1d6"),
      Date.now() + 20_000,
    );
    expect(outcome).toMatchObject({ status: "failed", providerStatus: "CRASHED" });
  });

  it("fails with the reason on HTTP 500, GraphQL errors, a refusal, and a timeout", async () => {
    const target = platformRow("dep-web-2", "2c7a1d6");
    await control({ fail: "http500" });
    await expect(web().deploy(ctx(), "rollback", target, Date.now() + 5_000)).rejects.toThrow(
      "Railway answered HTTP 500",
    );
    await control({ fail: "graphqlError" });
    await expect(web().deploy(ctx(), "rollback", target, Date.now() + 5_000)).rejects.toThrow(
      "Railway refused: Something went wrong",
    );
    await control({ fail: null });
    await expect(
      web().deploy(
        ctx(),
        "rollback",
        platformRow("dep-web-1", "1b6f0c5", false),
        Date.now() + 5_000,
      ),
    ).rejects.toThrow("Railway refused: This deployment cannot be rolled back");
    await control({ nextDeployOutcome: "STUCK" });
    await expect(web().deploy(ctx(), "rollback", target, Date.now() + 1_500)).rejects.toThrow(
      /still [A-Z]+ at the timeout; check Railway/,
    );
  });

  it("waits out a rate limit (429 with Retry-After) and carries on", async () => {
    await control({ fail: "rateLimit", count: 1 });
    expect((await web().list!()).length).toBe(4);
  });

  it("says why a deployment cannot be rolled back, before calling anything", () => {
    expect(web().cannot("rollback", platformRow("dep-web-1", "1b6f0c5", false))).toMatch(
      /can no longer be rolled back/,
    );
    const ci = upsertDeployment(db, {
      service: "web",
      environment: "production",
      version: "v9",
      status: "succeeded",
      startedAt: new Date(),
      source: "ci",
      reportedBy: "ci",
    }).deployment;
    expect(web().cannot("rollback", ci)).toMatch(/reported by CI/);
  });
});

describe("command provider", () => {
  it("runs the program with the target in OPSDECK_TARGET_* and streams its output", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-deploy-"));
    const script = path.join(dir, "deploy.sh");
    fs.writeFileSync(
      script,
      `#!/bin/sh\necho "deploying $OPSDECK_TARGET_VERSION ($OPSDECK_ACTION)"\necho "$OPSDECK_TARGET_VERSION" > "${dir}/live"\necho "warming up" >&2\n`,
      { mode: 0o755 },
    );
    const provider = commandProvider({ provider: "command", rollback: [script], timeout: 10_000 });
    const target = upsertDeployment(db, {
      service: "backend",
      environment: "production",
      version: "1.4.1",
      status: "succeeded",
      startedAt: new Date(),
      source: "ci",
      reportedBy: "ci",
    }).deployment;
    const c = ctx();
    expect(await provider.deploy(c, "rollback", target, Date.now() + 10_000)).toMatchObject({
      status: "succeeded",
      providerStatus: "exit 0",
    });
    expect(fs.readFileSync(path.join(dir, "live"), "utf8").trim()).toBe("1.4.1");
    expect(c.lines).toEqual(expect.arrayContaining(["deploying 1.4.1 (rollback)", "warming up"]));
    const failing = commandProvider({
      provider: "command",
      rollback: ["sh", "-c", "echo nope >&2; exit 4"],
      timeout: 10_000,
    });
    expect(await failing.deploy(ctx(), "rollback", target, Date.now() + 10_000)).toMatchObject({
      status: "failed",
      providerStatus: "exit 4",
    });
    const slow = commandProvider({
      provider: "command",
      rollback: ["sleep", "30"],
      timeout: 1_000,
    });
    await expect(slow.deploy(ctx(), "rollback", target, Date.now() + 10_000)).rejects.toThrow(
      "sleep did not finish within 1 s",
    );
    expect(
      commandProvider({ provider: "command", rollback: ["true"], timeout: 1000 }).cannot(
        "redeploy",
        target,
      ),
    ).toMatch(/no redeploy command/);
  });
});

describe("deployment records", () => {
  it("updates one record for the same external id, and a late 'started' never undoes a finish", () => {
    const first = upsertDeployment(db, {
      service: "backend",
      environment: "production",
      version: "2.0.0",
      status: "started",
      startedAt: new Date(),
      externalId: "gh-1",
      source: "ci",
      reportedBy: "ci",
    });
    const done = upsertDeployment(db, {
      service: "backend",
      environment: "production",
      version: "2.0.0",
      status: "succeeded",
      startedAt: new Date(),
      finishedAt: new Date(),
      externalId: "gh-1",
      source: "ci",
      reportedBy: "ci",
    });
    const late = upsertDeployment(db, {
      service: "backend",
      environment: "production",
      version: "2.0.0",
      status: "started",
      startedAt: new Date(),
      externalId: "gh-1",
      source: "ci",
      reportedBy: "ci",
    });
    expect([first.created, done.created, late.created]).toEqual([true, false, false]);
    expect(db.select().from(deployments).all()).toMatchObject([{ status: "succeeded" }]);
  });
});

describe("interrupted rollbacks", () => {
  it("are marked unknown at start, saying to check the platform, unless a deploy job still runs", async () => {
    const { recoverInterruptedDeploys } = await import("./recover");
    upsertDeployment(db, {
      service: "backend",
      environment: "production",
      version: "1.0.0",
      status: "started",
      startedAt: new Date(),
      source: "opsdeck",
      reportedBy: "ada",
    });
    db.insert(jobs)
      .values({ kind: "deploy.action", params: {}, requestedByName: "ada", status: "running" })
      .run();
    expect(recoverInterruptedDeploys(db)).toBe(0);
    db.update(jobs).set({ status: "failed", error: "interrupted" }).run();
    expect(recoverInterruptedDeploys(db)).toBe(1);
    expect(db.select().from(deployments).get()).toMatchObject({
      status: "unknown",
      providerStatus: expect.stringMatching(/^interrupted: .*check the platform/),
    });
  });
});

describe("rollback requests", () => {
  it("twenty requests at once, from different clicks, queue exactly one job", async () => {
    const { rollbackDeployment } = await import("@/server/actions/rollback-deployment");
    actAs(await makeUser(db, "operator"));
    // The example config's backend/production uses the command provider.
    const old = upsertDeployment(db, {
      service: "backend",
      environment: "production",
      version: "1.4.1",
      status: "succeeded",
      startedAt: new Date(Date.now() - 7_200_000),
      finishedAt: new Date(Date.now() - 7_100_000),
      source: "ci",
      reportedBy: "ci",
    }).deployment;
    upsertDeployment(db, {
      service: "backend",
      environment: "production",
      version: "1.4.2",
      status: "succeeded",
      startedAt: new Date(Date.now() - 3_600_000),
      finishedAt: new Date(),
      source: "ci",
      reportedBy: "ci",
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        rollbackDeployment({
          deploymentId: old.id,
          confirm: "Production",
          requestKey: `click-${i}-0000000`,
        }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.ok && r.data.jobId)).size).toBe(1);
    expect(db.select().from(jobs).all()).toHaveLength(1);
    expect(await rollbackDeployment({ deploymentId: old.id })).toMatchObject({
      ok: false,
      status: 400,
    });
  });
});
