import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import { getConfig } from "@/server/config";
import type { MonitorConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { deployments, monitorState } from "@/server/db/schema";
import { JobCanceled } from "@/server/jobs/abort";
import { runDeployAction } from "./act";
import { upsertDeployment } from "./record";

let db: Db;
let dir: string;
beforeEach(() => {
  db = freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-act-"));
});

/** The example config with backend/staging deployed by `rollback`, watched by `monitors`. */
function configWith(rollback: string[], monitors: MonitorConfig[]): OpsdeckConfig {
  const base = getConfig().config;
  const backend = base.services.find((s) => s.id === "backend")!;
  return {
    ...base,
    services: [
      {
        ...backend,
        environments: {
          ...backend.environments,
          staging: {
            ...backend.environments.staging!,
            deploy: { provider: "command", rollback, timeout: 60_000 },
            verify: { checks: 2, timeout: 60_000 },
          },
        },
      },
    ],
    monitors,
  };
}

function target() {
  upsertDeployment(db, {
    service: "backend",
    environment: "staging",
    version: "2.0.0",
    status: "succeeded",
    startedAt: new Date(Date.now() - 60_000),
    source: "ci",
    reportedBy: "ci",
  });
  return upsertDeployment(db, {
    service: "backend",
    environment: "staging",
    version: "1.9.0",
    status: "succeeded",
    startedAt: new Date(Date.now() - 3_600_000),
    source: "ci",
    reportedBy: "ci",
  }).deployment;
}

const stagingHealth = getConfig().config.monitors.find((m) => m.id === "backend-staging-health")!;

describe("'verified' means checks ran", () => {
  it("with no monitor for the environment, a rollback is deployed, not verified", async () => {
    const ctx = jobContext(db, "deploy.action");
    const result = await runDeployAction(
      ctx,
      configWith(["true"], []),
      "rollback",
      target(),
      "ada",
    );
    expect(result).toMatchObject({ outcome: "unverified", word: "deployed, but not verified" });
    expect(result.detail).toMatch(/^no active monitor checks backend in staging/);
    expect(ctx.lines.join("\n")).not.toMatch(/healthy/i);
    expect(ctx.lines.at(-1)).toMatch(/^Outcome: deployed, but not verified/);
  });

  it("with every monitor paused (in the config or from the UI), it is not verified either", async () => {
    const paused = { ...stagingHealth, paused: true } as MonitorConfig;
    const first = await runDeployAction(
      jobContext(db, "deploy.action"),
      configWith(["true"], [paused]),
      "rollback",
      target(),
      "ada",
    );
    expect(first.outcome).toBe("unverified");
    db.insert(monitorState)
      .values({ monitorId: stagingHealth.id, status: "paused", since: new Date(), pausedBy: "bob" })
      .run();
    const second = await runDeployAction(
      jobContext(db, "deploy.action"),
      configWith(["true"], [stagingHealth]),
      "rollback",
      target(),
      "ada",
    );
    expect(second).toMatchObject({ outcome: "unverified" });
    expect(second.detail).toMatch(/paused/);
  });
});

describe("canceling a rollback", () => {
  it("kills the command (even one that ignores SIGTERM) and records the deployment as interrupted", async () => {
    const pidFile = path.join(dir, "pid");
    const stubborn = [
      process.execPath,
      "-e",
      `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);`,
    ];
    const abort = new AbortController();
    const ctx = { ...jobContext(db, "deploy.action"), signal: abort.signal };
    const running = runDeployAction(ctx, configWith(stubborn, []), "rollback", target(), "ada");
    const started = Date.now();
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, "utf8") === "") {
      if (Date.now() - started > 10_000) throw new Error("the command did not start");
      await new Promise((r) => setTimeout(r, 10));
    }
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    abort.abort(new JobCanceled("ada@example.com"));
    await expect(running).rejects.toBeInstanceOf(JobCanceled);
    expect(() => process.kill(pid, 0)).toThrow();
    const record = db.select().from(deployments).where(eq(deployments.source, "opsdeck")).get()!;
    expect(record).toMatchObject({
      status: "unknown",
      outcome: "interrupted",
      providerStatus: expect.stringMatching(/^canceled by ada@example\.com.*check the platform/),
    });
  });
});
