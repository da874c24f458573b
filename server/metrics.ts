import "server-only";
import client from "prom-client";
import { getDb } from "@/server/db";
import { jobCountsByKindAndStatus } from "@/server/queries/jobs";
import { monitorStatusCounts } from "@/server/queries/uptime";
import { alertCounts, notificationCounts } from "@/server/queries/alerts";
import { getRuntime } from "@/server/runtime";
import { APP_VERSION } from "@/lib/version";

const state = globalThis as unknown as {
  __opsdeckMetrics?: boolean;
  __opsdeckLateness?: client.Histogram;
  __opsdeckAlertEval?: client.Histogram;
};

/** How long one evaluation of every alert rule takes. */
export function alertEvaluationHistogram(): client.Histogram {
  state.__opsdeckAlertEval ??= new client.Histogram({
    name: "opsdeck_alert_evaluation_seconds",
    help: "Time to evaluate every alert rule once.",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  });
  return state.__opsdeckAlertEval;
}

/** How late each monitor check started against its schedule. */
export function latenessHistogram(): client.Histogram {
  state.__opsdeckLateness ??= new client.Histogram({
    name: "opsdeck_monitor_check_lateness_seconds",
    help: "How late monitor checks start against their schedule.",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  return state.__opsdeckLateness;
}

/**
 * Registers Opsdeck's own metrics on prom-client's default registry, once per
 * process. The HTTP histogram lives in the HTTP server (scripts/server.ts) and
 * shares this registry, because prom-client is loaded from node_modules by both.
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
    name: "opsdeck_scheduler_leader",
    help: "1 when this process holds the scheduler lease.",
    collect() {
      this.set(getRuntime()?.scheduler.isLeader ? 1 : 0);
    },
  });

  latenessHistogram();

  new client.Gauge({
    name: "opsdeck_monitors",
    help: "Monitors by current status.",
    labelNames: ["status"] as const,
    collect() {
      this.reset();
      for (const r of monitorStatusCounts(getDb())) this.set({ status: r.status }, r.n);
    },
  });

  alertEvaluationHistogram();

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

  new client.Gauge({
    name: "opsdeck_jobs_running_here",
    help: "Jobs this process is running now.",
    collect() {
      this.set(getRuntime()?.runner.activeCount ?? 0);
    },
  });
  return client.register;
}
