import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { getConfig } from "@/server/config";
import type { MonitorConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { monitorState } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";
import { runDeployAction } from "./act";
import { upsertDeployment } from "./record";

let db: Db;
beforeEach(() => {
  db = freshDb();
});

const stagingHealth = getConfig().config.monitors.find((m) => m.id === "backend-staging-health")!;

function configWith(monitors: MonitorConfig[]): OpsdeckConfig {
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
            deploy: { provider: "command", rollback: ["true"], timeout: 60_000 },
            verify: { checks: 2, timeout: 60_000 },
          },
        },
      },
    ],
    monitors,
  };
}

/** A job context that stops the job at its first progress report naming the monitors. */
function stoppingContext() {
  const controller = new AbortController();
  const lines: string[] = [];
  const progress: string[] = [];
  const ctx: JobContext<unknown> = {
    jobId: 1,
    params: {},
    db,
    signal: controller.signal,
    log: (_level, message) => lines.push(message),
    progress: (_pct, text) => {
      if (text?.includes("/2")) {
        progress.push(text);
        controller.abort(new Error("test stops here"));
      }
    },
  };
  return { ctx, lines, progress };
}

describe("the rollback's wait for health checks", () => {
  it("counts and names the monitors it waits for: not heartbeats, not paused ones", async () => {
    upsertDeployment(db, {
      service: "backend",
      environment: "staging",
      version: "2.0.0",
      status: "succeeded",
      startedAt: new Date(Date.now() - 60_000),
      source: "ci",
      reportedBy: "ci",
    });
    const target = upsertDeployment(db, {
      service: "backend",
      environment: "staging",
      version: "1.9.0",
      status: "succeeded",
      startedAt: new Date(Date.now() - 3_600_000),
      source: "ci",
      reportedBy: "ci",
    }).deployment;
    const port = { ...stagingHealth, id: "staging-port", name: "Navi port (staging)" };
    const pausedHere = { ...stagingHealth, id: "staging-ws", name: "Navi sockets (staging)" };
    const cron = {
      ...stagingHealth,
      id: "staging-cron",
      name: "Nightly job (staging)",
      type: "heartbeat",
    } as unknown as MonitorConfig;
    db.insert(monitorState)
      .values({ monitorId: "staging-ws", status: "paused", since: new Date(), pausedBy: "bob" })
      .run();
    const { ctx, lines, progress } = stoppingContext();
    await expect(
      runDeployAction(
        ctx,
        configWith([stagingHealth, port, pausedHere, cron]),
        "rollback",
        target,
        "ada",
      ),
    ).rejects.toThrow("test stops here");
    expect(progress[0]).toBe("Navi /health (staging): 0/2, Navi port (staging): 0/2");
    expect(lines).toContain(
      "Deployed. Waiting for 2 monitors (Navi /health (staging), Navi port (staging)) to pass 2 checks in a row…",
    );
  });
});
