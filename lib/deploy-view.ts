import type { DeployOutcome } from "./deploy-outcome";

/** A deployment as pages show it. */
export type DeploymentView = {
  id: number;
  service: string;
  environment: string;
  version: string;
  commitSha: string | null;
  status: "started" | "succeeded" | "failed" | "unknown";
  providerStatus: string | null;
  author: string | null;
  message: string | null;
  url: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  source: "ci" | "platform" | "opsdeck";
  rollbackOf: number | null;
  canRollback: boolean | null;
  /** Opsdeck's rollbacks and redeploys, once verified (lib/deploy-outcome.ts). */
  outcome: DeployOutcome | null;
  outcomeAt: string | null;
};

/** DORA figures for one service in one environment over a window. */
export type DoraFigures = {
  service: string;
  environment: string;
  days: number;
  deployments: number;
  succeeded: number;
  failed: number;
  perWeek: number;
  leadTimeMedianMs: number | null;
  changeFailureRate: number | null;
  recoveryMedianMs: number | null;
  successRate: number | null;
};

/** Median of numbers (null when empty). */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
