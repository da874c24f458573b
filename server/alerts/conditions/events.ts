import "server-only";
import type { ConditionConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { OUTCOME_WORDS, type DeployOutcome } from "@/lib/deploy-outcome";
import type { EvalContext, Evaluator, Instance } from "./types";

type Of<T extends ConditionConfig["type"]> = Extract<ConditionConfig, { type: T }>;

const KIND = `case when rollback_of is not null or source = 'opsdeck' then 'rollback' else 'deployment' end`;
const ACTION = `case when rollback_of is not null then 'rollback' when source = 'opsdeck' then 'redeploy' else 'deploy' end`;

/**
 * Events count once: the live evaluator asks for those after the last ones it reported
 * (`ctx.since`), a little in the past (`EVENT_SETTLE_MS`) so that a write dated just
 * before it and committed just after is not missed; a preview asks per step.
 */
export const EVENT_SETTLE_MS = 5_000;

function eventRange(within: number, ctx: EvalContext) {
  const until = ctx.live ? ctx.now - EVENT_SETTLE_MS : ctx.now;
  const oldest = ctx.now - within;
  return { oldest, since: Math.max(oldest, ctx.since ?? oldest), until };
}

function statements(client: Db["$client"]) {
  return {
    // Events are dated when Opsdeck learned of them (a report of an old deploy is news
    // now), and only if they happened within the rule's window at all.
    // One row per service, environment and kind (and outcome): how many, and the latest.
    deploysStarted: client.prepare(
      `select service, environment, kind, 'started' as event, null as outcome, n, version, author, action from (
         select service, environment, version, author, kind, action,
           count(*) over g as n,
           row_number() over (g order by at desc, id desc) as latest
         from (
           select id, service, environment, version, author,
             ${KIND} as kind, ${ACTION} as action, max(started_at, created_at) as at
           from deployments where started_at > @oldest
         )
         where at > @since and at <= @until
         window g as (partition by service, environment, kind)
       ) where latest = 1`,
    ),
    // Opsdeck's rollbacks and redeploys finish when their verification does.
    deploysFinished: client.prepare(
      `select service, environment, kind, event, outcome, n, version, author, action from (
         select service, environment, version, author, kind, action, event, outcome,
           count(*) over g as n,
           row_number() over (g order by at desc, id desc) as latest
         from (
           select id, service, environment, version, author, outcome,
             ${KIND} as kind, ${ACTION} as action,
             case when source = 'opsdeck'
               then case when outcome in ('healthy', 'unverified') then 'succeeded' else 'failed' end
               else status end as event,
             case when source = 'opsdeck' then outcome_at else max(finished_at, created_at) end as at
           from deployments
           where (source != 'opsdeck' and status in ('succeeded', 'failed') and finished_at > @oldest)
              or (source = 'opsdeck' and outcome is not null and outcome_at > @oldest)
         )
         where at > @since and at <= @until
         window g as (partition by service, environment, kind, event, coalesce(outcome, ''))
       ) where latest = 1`,
    ),
    failedJobs: client.prepare(
      `select kind, n, id, error from (
         select kind, id, error, count(*) over g as n,
           row_number() over (g order by finished_at desc, id desc) as latest
         from jobs where status = 'failed' and finished_at > @since and finished_at <= @until
         window g as (partition by kind)
       ) where latest = 1`,
    ),
  };
}
const prepared = new WeakMap<object, ReturnType<typeof statements>>();
function sql(db: Db) {
  let s = prepared.get(db.$client);
  if (!s) prepared.set(db.$client, (s = statements(db.$client)));
  return s;
}

type DeployGroup = {
  service: string;
  environment: string;
  kind: "deployment" | "rollback";
  action: "deploy" | "rollback" | "redeploy";
  event: "started" | "succeeded" | "failed";
  outcome: DeployOutcome | null;
  n: number;
  version: string;
  author: string | null;
};

const ACTION_WORD = { deploy: "Deploy of", rollback: "Rollback to", redeploy: "Redeploy of" };

/**
 * Deployments or rollbacks that started, succeeded or failed since the last evaluation:
 * one event per service, environment, kind and event (and outcome), whose summary counts
 * them, never one per deployment (a storm of CI reports is one message). A rollback or
 * redeploy made here is finished when its verification is, and says its outcome.
 */
export const deploymentCondition: Evaluator<Of<"deployment">> = (c, ctx) => {
  const q = sql(ctx.db);
  const range = eventRange(c.within, ctx);
  const groups = [
    ...(c.events.includes("started") ? (q.deploysStarted.all(range) as DeployGroup[]) : []),
    ...(q.deploysFinished.all(range) as DeployGroup[]).filter((g) => c.events.includes(g.event)),
  ];
  return groups.flatMap((g): Instance[] => {
    if (!c.kinds.includes(g.kind)) return [];
    if (c.services.length > 0 && !c.services.includes(g.service)) return [];
    if (c.environments.length > 0 && !c.environments.includes(g.environment)) return [];
    const service = ctx.config.services.find((s) => s.id === g.service)?.name ?? g.service;
    const env = ctx.config.environments.find((e) => e.id === g.environment)?.name ?? g.environment;
    const word = g.outcome ? OUTCOME_WORDS[g.outcome] : g.event;
    const by = g.author ? `by ${g.author}` : "";
    const summary =
      g.n === 1
        ? `${ACTION_WORD[g.action]} ${g.version} of ${service} in ${env}: ${word}${by ? ` (${by})` : ""}`
        : `${g.n} ${g.kind}s of ${service} in ${env}: ${word} (latest: ${g.kind === "rollback" ? "to " : ""}${g.version}${by ? `, ${by}` : ""})`;
    return [
      {
        labels: {
          service: g.service,
          environment: g.environment,
          event: g.event,
          kind: g.kind,
          ...(g.outcome ? { outcome: g.outcome } : {}),
        },
        summary,
        value: g.n,
      },
    ];
  });
};

/** Background jobs that failed since the last evaluation: one event per job kind, counting them. */
export const jobCondition: Evaluator<Of<"job">> = (c, ctx) => {
  const { since, until } = eventRange(c.within, ctx);
  const rows = sql(ctx.db).failedJobs.all({ since, until }) as {
    kind: string;
    n: number;
    id: number;
    error: string | null;
  }[];
  return rows
    .filter((j) => c.kinds.length === 0 || c.kinds.includes(j.kind))
    .map((j) => {
      const error = j.error ? `: ${j.error.slice(0, 200)}` : "";
      return {
        labels: { kind: j.kind },
        summary:
          j.n === 1
            ? `Job #${j.id} (${j.kind}) failed${error}`
            : `${j.n} ${j.kind} jobs failed (latest: #${j.id}${error})`,
        value: j.n,
      };
    });
};
