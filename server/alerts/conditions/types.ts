import "server-only";
import type { Labels } from "@/lib/alerts/matchers";
import type { ConditionConfig, MonitorConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";

/** One thing a condition finds wrong right now: its labels make it one alert. */
export type Instance = { labels: Labels; summary: string; value?: number };

export type EvalContext = {
  db: Db;
  config: OpsdeckConfig;
  now: number;
  /**
   * False when a rule's preview evaluates the past: state that only exists for "now"
   * (monitor_state) is not available, so evaluators read history tables instead.
   */
  live: boolean;
  /**
   * Event conditions (deployment, job): report only events after this time, the end of
   * what the last evaluation reported. Without it, the rule's whole `within`.
   */
  since?: number;
};

/** Rules whose condition is an event: each is a notification sent once, not an alert with a lifetime. */
export const EVENT_CONDITIONS: ReadonlySet<ConditionConfig["type"]> = new Set([
  "deployment",
  "job",
]);

export type Evaluator<C extends ConditionConfig> = (condition: C, ctx: EvalContext) => Instance[];

type Selector = { monitors: string[]; services: string[]; environments: string[] };

/** The monitors a condition's selector picks, optionally of some types only. */
export function selectMonitors(
  config: OpsdeckConfig,
  sel: Selector,
  types?: MonitorConfig["type"][],
): MonitorConfig[] {
  return config.monitors.filter(
    (m) =>
      (!types || types.includes(m.type)) &&
      (sel.monitors.length === 0 || sel.monitors.includes(m.id)) &&
      (sel.services.length === 0 || sel.services.includes(m.service)) &&
      (sel.environments.length === 0 || sel.environments.includes(m.environment)),
  );
}

export function monitorLabels(m: MonitorConfig): Labels {
  return { service: m.service, environment: m.environment, monitor: m.id };
}

export function monitorTitle(m: MonitorConfig): string {
  return m.name ?? m.id;
}
