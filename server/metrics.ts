import "server-only";
import client from "prom-client";
import { getDb } from "@/server/db";
import { jobCountsByKindAndStatus } from "@/server/queries/jobs";
import { monitorStatusCounts } from "@/server/queries/uptime";
import { alertCounts, notificationCounts } from "@/server/queries/alerts";
import type { ThreadRole } from "@/server/engine/protocol";
import { threadUp } from "@/server/queries/health";
import { getRuntime } from "@/server/runtime";
import { APP_VERSION } from "@/lib/version";

const state = globalThis as unknown as { __opsdeckMetrics?: boolean };
const THREADS: ThreadRole[] = ["engine", "jobs", "metrics"];

/**
 * Registers the HTTP thread's metrics on prom-client's default registry, once per
 * process. The HTTP histogram lives in the HTTP server (scripts/server.ts) and
 * shares this registry, because prom-client is loaded from node_modules by both.
 * The engine threads have registries of their own (server/engine/metrics.ts): check
 * lateness, alert evaluation and the scheduler lease; the jobs running.
 */
export function ensureMetrics(): client.Registry {
  if (state.__opsdeckMetrics) return client.register;
  state.__opsdeckMetrics = true;
  client.collectDefaultMetrics({ prefix: "" });

  new client.Gauge({
    name: "opsdeck_build_info",
    help: "Opsdeck version (always 1).",
    labelNames: ["version"] as const,
    collect() {
      this.set({ version: APP_VERSION }, 1);
    },
  });

  new client.Gauge({
    name: "opsdeck_jobs",
    help: "Jobs in the database, by kind and status.",
    labelNames: ["kind", "status"] as const,
    collect() {
      this.reset();
      for (const r of jobCountsByKindAndStatus(getDb()))
        this.set({ kind: r.kind, status: r.status }, r.n);
    },
  });

  new client.Gauge({
    name: "opsdeck_engine_thread_up",
    help: "1 while the thread runs and reports (engine: checks and alerts; jobs: the job runner; metrics: scrapes and the metrics store).",
    labelNames: ["thread"] as const,
    collect() {
      const status = getRuntime()?.engine.status();
      for (const thread of THREADS) this.set({ thread }, threadUp(status?.[thread]) ? 1 : 0);
    },
  });

  new client.Counter({
    name: "opsdeck_engine_thread_restarts_total",
    help: "Times the thread died and was started again since the process started.",
    labelNames: ["thread"] as const,
    collect() {
      const status = getRuntime()?.engine.status();
      this.reset();
      for (const thread of THREADS) this.inc({ thread }, status?.[thread].restarts ?? 0);
    },
  });

  new client.Gauge({
    name: "opsdeck_monitors",
    help: "Monitors by current status.",
    labelNames: ["status"] as const,
    collect() {
      this.reset();
      for (const r of monitorStatusCounts(getDb())) this.set({ status: r.status }, r.n);
    },
  });

  new client.Gauge({
    name: "opsdeck_alerts",
    help: "Alerts by state (pending and firing now; resolved and inactive ever).",
    labelNames: ["state", "severity"] as const,
    collect() {
      this.reset();
      for (const r of alertCounts(getDb())) this.set({ state: r.state, severity: r.severity }, r.n);
    },
  });

  new client.Gauge({
    name: "opsdeck_notifications",
    help: "Notifications in the outbox by channel and status.",
    labelNames: ["channel", "status"] as const,
    collect() {
      this.reset();
      for (const r of notificationCounts(getDb()))
        this.set({ channel: r.channelId, status: r.status }, r.n);
    },
  });

  return client.register;
}

/** Everything /api/metrics serves: this thread's registry, then the engine threads'. */
export async function metricsText(): Promise<{ text: string; contentType: string }> {
  const registry = ensureMetrics();
  const [own, engine] = await Promise.all([
    registry.metrics(),
    getRuntime()?.engine.metrics() ?? Promise.resolve(""),
  ]);
  return { text: engine ? `${own}\n${engine}` : own, contentType: registry.contentType };
}
