import { formatMatcher, type Labels } from "./matchers";

export type Severity = "critical" | "warning" | "info";

/** An alert episode as pages and the JSON API show it. */
export type AlertView = {
  id: number;
  ruleId: string;
  name: string;
  severity: Severity;
  /** "event": sent once by an event rule (a deployment, a job); never resolved. */
  state: "pending" | "firing" | "resolved" | "inactive" | "event";
  summary: string;
  labels: Labels;
  value: number | null;
  activeAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  falsePositive: boolean;
  ackedAt: string | null;
  ackedBy: string | null;
  runbook: string | null;
  escalation: { policy: string; level: number | null; nextAt: string | null } | null;
};

export type ActiveAlertView = AlertView & {
  silencedBy: number | null;
  inhibitedBy: number | null;
  channels: string[];
  group: string;
};

export type RuleStatsView = {
  ruleId: string;
  name: string;
  severity: Severity;
  condition: string;
  fired: number;
  firingNow: number;
  medianAckMs: number | null;
  acked: number;
  falsePositives: number;
  falsePositiveShare: number | null;
  flaps: number;
};

/** Targets for alert response: acknowledged within 15 minutes, under 5 % false positives. */
export const ACK_TARGET_MS = 15 * 60_000;
export const FALSE_POSITIVE_TARGET = 0.05;

/** The labels that identify an alert, as matchers for a one-click silence. */
export function silenceMatchersFor(a: { labels: Labels }): string[] {
  return Object.entries(a.labels)
    .filter(([k]) => !["severity", "condition"].includes(k))
    .map(([name, value]) => formatMatcher({ name, op: "=", value }));
}
