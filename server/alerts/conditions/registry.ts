import "server-only";
import type { ConditionConfig } from "@/server/config/schema";
import { redactSecretsIn } from "@/server/secrets/redact";
import { backupCondition } from "./backup";
import { deploymentCondition, jobCondition } from "./events";
import {
  heartbeatCondition,
  latencyCondition,
  monitorCondition,
  tlsCondition,
  uptimeCondition,
} from "./monitors";
import type { EvalContext, Evaluator, Instance } from "./types";

type Registry = {
  [T in ConditionConfig["type"]]: Evaluator<Extract<ConditionConfig, { type: T }>>;
};

/** One evaluator per condition type; a new condition type is one more entry here. */
const EVALUATORS: Registry = {
  monitor: monitorCondition,
  heartbeat: heartbeatCondition,
  latency: latencyCondition,
  uptime: uptimeCondition,
  tls: tlsCondition,
  backup: backupCondition,
  deployment: deploymentCondition,
  job: jobCondition,
};

/** What is wrong now; summaries and labels quote stored text, so known secrets are redacted. */
export function evaluateCondition(condition: ConditionConfig, ctx: EvalContext): Instance[] {
  const evaluate = EVALUATORS[condition.type] as Evaluator<ConditionConfig>;
  return evaluate(condition, ctx).map((i) => redactSecretsIn(i));
}
