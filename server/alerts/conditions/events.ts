import "server-only";
import { formatDuration } from "@/lib/duration";
import type { ConditionConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import type { Evaluator, Instance } from "./types";

type Of<T extends ConditionConfig["type"]> = Extract<ConditionConfig, { type: T }>;

function statements(client: Db["$client"]) {
  return {
    lastVerified: client.prepare(
      `select id, finished_at as finishedAt from backups
       where job_id = ? and verified = 1 and kind != 'safety' and finished_at is not null and finished_at <= ?
       order by finished_at desc limit 1`,
    ),
    lastFinished: client.prepare(
      `select id, status, error, finished_at as finishedAt from backups
       where job_id = ? and status in ('verified', 'failed', 'deleted') and kind != 'safety'
         and finished_at is not null and finished_at <= ?
       order by finished_at desc limit 1`,
    ),
    deploysStarted: client.prepare(
      `select id, service, environment, version, status, rollback_of as rollbackOf, source, author, started_at as at
       from deployments where started_at > ? and started_at <= ? order by started_at`,
    ),
    deploysFinished: client.prepare(
      `select id, service, environment, version, status, rollback_of as rollbackOf, source, author, finished_at as at
       from deployments where status in ('succeeded', 'failed') and finished_at > ? and finished_at <= ?
       order by finished_at`,
    ),
    failedJobs: client.prepare(
      `select id, kind, error, finished_at as finishedAt from jobs
       where status = 'failed' and finished_at > ? and finished_at <= ? order by finished_at`,
    ),
  };
}
const prepared = new WeakMap<object, ReturnType<typeof statements>>();
function sql(db: Db) {
  let s = prepared.get(db.$client);
  if (!s) prepared.set(db.$client, (s = statements(db.$client)));
  return s;
}

/** The newest verified backup is too old, or the newest finished run failed. */
export const backupCondition: Evaluator<Of<"backup">> = (c, ctx) => {
  const q = sql(ctx.db);
  const out: Instance[] = [];
  const jobs = ctx.config.backups.filter((b) => c.backups.length === 0 || c.backups.includes(b.id));
  for (const b of jobs) {
    const labels = { service: b.service, environment: b.environment, backup: b.id };
    const name = b.name ?? b.id;
    if (c.maxAge !== undefined) {
      const last = q.lastVerified.get(b.id, ctx.now) as { finishedAt: number } | undefined;
      const age = last ? ctx.now - last.finishedAt : Infinity;
      if (age > c.maxAge)
        out.push({
          labels: { ...labels, problem: "stale" },
          value: Number.isFinite(age) ? Math.round(age / 1000) : undefined,
          summary: last
            ? `${name}: the newest verified backup is ${formatDuration(age)} old (limit ${formatDuration(c.maxAge)})`
            : `${name}: there is no verified backup`,
        });
    }
    if (c.onFailure) {
      const last = q.lastFinished.get(b.id, ctx.now) as
        { id: number; status: string; error: string | null } | undefined;
      if (last?.status === "failed")
        out.push({
          labels: { ...labels, problem: "failed" },
          summary: `${name}: the last backup failed${last.error ? `: ${last.error}` : ""}`,
        });
    }
  }
  return out;
};

type DeployRow = {
  id: number;
  service: string;
  environment: string;
  version: string;
  status: string;
  rollbackOf: number | null;
  source: string;
  author: string | null;
  at: number;
};

/** A deployment or rollback started, succeeded or failed within the last `within`. */
export const deploymentCondition: Evaluator<Of<"deployment">> = (c, ctx) => {
  const q = sql(ctx.db);
  const from = ctx.now - c.within;
  const rows: { row: DeployRow; event: string }[] = [];
  if (c.events.includes("started"))
    for (const row of q.deploysStarted.all(from, ctx.now) as DeployRow[])
      rows.push({ row, event: "started" });
  for (const row of q.deploysFinished.all(from, ctx.now) as DeployRow[])
    if (c.events.includes(row.status as "succeeded" | "failed"))
      rows.push({ row, event: row.status });
  return rows.flatMap(({ row, event }): Instance[] => {
    const kind = row.rollbackOf !== null ? "rollback" : "deployment";
    if (!c.kinds.includes(kind)) return [];
    if (c.services.length > 0 && !c.services.includes(row.service)) return [];
    if (c.environments.length > 0 && !c.environments.includes(row.environment)) return [];
    const what = kind === "rollback" ? `Rollback to ${row.version}` : `Deploy of ${row.version}`;
    return [
      {
        labels: {
          service: row.service,
          environment: row.environment,
          deployment: String(row.id),
          event,
          kind,
        },
        summary: `${what} of ${row.service} to ${row.environment} ${event}${row.author ? ` (${row.author})` : ""}`,
      },
    ];
  });
};

/** A background job failed within the last `within`. */
export const jobCondition: Evaluator<Of<"job">> = (c, ctx) => {
  const rows = sql(ctx.db).failedJobs.all(ctx.now - c.within, ctx.now) as {
    id: number;
    kind: string;
    error: string | null;
  }[];
  return rows
    .filter((j) => c.kinds.length === 0 || c.kinds.includes(j.kind))
    .map((j) => ({
      labels: { job: String(j.id), kind: j.kind },
      summary: `Job #${j.id} (${j.kind}) failed${j.error ? `: ${j.error.slice(0, 200)}` : ""}`,
    }));
};
