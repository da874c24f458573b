import "server-only";
import { formatDuration } from "@/lib/duration";
import type { ConditionConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import type { Evaluator, Instance } from "./types";

type Of<T extends ConditionConfig["type"]> = Extract<ConditionConfig, { type: T }>;

function statements(client: Db["$client"]) {
  return {
    // One row per service, environment and kind (and status): how many, and the latest.
    deploysStarted: client.prepare(
      `select service, environment, kind, 'started' as event, n, version, author from (
         select service, environment, version, author,
           case when rollback_of is null then 'deployment' else 'rollback' end as kind,
           count(*) over g as n,
           row_number() over (g order by started_at desc, id desc) as latest
         from deployments where started_at > ? and started_at <= ?
         window g as (partition by service, environment, rollback_of is null)
       ) where latest = 1`,
    ),
    deploysFinished: client.prepare(
      `select service, environment, kind, status as event, n, version, author from (
         select service, environment, version, author, status,
           case when rollback_of is null then 'deployment' else 'rollback' end as kind,
           count(*) over g as n,
           row_number() over (g order by finished_at desc, id desc) as latest
         from deployments
         where status in ('succeeded', 'failed') and finished_at > ? and finished_at <= ?
         window g as (partition by service, environment, rollback_of is null, status)
       ) where latest = 1`,
    ),
    failedJobs: client.prepare(
      `select kind, n, id, error from (
         select kind, id, error, count(*) over g as n,
           row_number() over (g order by finished_at desc, id desc) as latest
         from jobs where status = 'failed' and finished_at > ? and finished_at <= ?
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
  event: "started" | "succeeded" | "failed";
  n: number;
  version: string;
  author: string | null;
};

/**
 * Deployments or rollbacks that started, succeeded or failed within the last `within`:
 * one alert per service, environment, kind and event while they keep happening, whose
 * summary counts them, never one per deployment (a storm of CI reports is one page).
 */
export const deploymentCondition: Evaluator<Of<"deployment">> = (c, ctx) => {
  const q = sql(ctx.db);
  const from = ctx.now - c.within;
  const groups = [
    ...(c.events.includes("started") ? (q.deploysStarted.all(from, ctx.now) as DeployGroup[]) : []),
    ...(q.deploysFinished.all(from, ctx.now) as DeployGroup[]).filter((g) =>
      c.events.includes(g.event),
    ),
  ];
  return groups.flatMap((g): Instance[] => {
    if (!c.kinds.includes(g.kind)) return [];
    if (c.services.length > 0 && !c.services.includes(g.service)) return [];
    if (c.environments.length > 0 && !c.environments.includes(g.environment)) return [];
    const by = g.author ? `by ${g.author}` : "";
    const summary =
      g.n === 1
        ? `${g.kind === "rollback" ? `Rollback to ${g.version}` : `Deploy of ${g.version}`} of ${g.service} to ${g.environment} ${g.event}${by ? ` (${by})` : ""}`
        : `${g.n} ${g.kind}s of ${g.service} to ${g.environment} ${g.event} in the last ${formatDuration(c.within)} (latest: ${g.kind === "rollback" ? "to " : ""}${g.version}${by ? `, ${by}` : ""})`;
    return [
      {
        labels: { service: g.service, environment: g.environment, event: g.event, kind: g.kind },
        summary,
        value: g.n,
      },
    ];
  });
};

/** Background jobs failed within the last `within`: one alert per job kind, counting them. */
export const jobCondition: Evaluator<Of<"job">> = (c, ctx) => {
  const rows = sql(ctx.db).failedJobs.all(ctx.now - c.within, ctx.now) as {
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
            : `${j.n} ${j.kind} jobs failed in the last ${formatDuration(c.within)} (latest: #${j.id}${error})`,
        value: j.n,
      };
    });
};
