import "server-only";
import client from "prom-client";

// Each engine thread has its own prom-client registry (each thread loads its own copy of
// the module); the HTTP thread asks both for their text and appends it to /api/metrics.
const state = globalThis as unknown as {
  __opsdeckLateness?: client.Histogram;
  __opsdeckAlertEval?: client.Histogram;
  __opsdeckEngineGauges?: boolean;
  __opsdeckJobsGauges?: boolean;
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

/** The engine thread's gauges, read at scrape time. Once per thread. */
export function registerEngineGauges(source: { isLeader: () => boolean }): void {
  if (state.__opsdeckEngineGauges) return;
  state.__opsdeckEngineGauges = true;
  new client.Gauge({
    name: "opsdeck_scheduler_leader",
    help: "1 when this process holds the scheduler lease.",
    collect() {
      this.set(source.isLeader() ? 1 : 0);
    },
  });
}

/** The jobs thread's gauges, read at scrape time. Once per thread. */
export function registerJobsGauges(source: { runningJobs: () => number }): void {
  if (state.__opsdeckJobsGauges) return;
  state.__opsdeckJobsGauges = true;
  new client.Gauge({
    name: "opsdeck_jobs_running_here",
    help: "Jobs this process is running now.",
    collect() {
      this.set(source.runningJobs());
    },
  });
}

/** This thread's registry in the Prometheus text format. */
export function engineMetricsText(): Promise<string> {
  return client.register.metrics();
}
