import "server-only";
import { formatDuration } from "@/lib/duration";
import type { ConditionConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import type { Evaluator, Instance } from "./types";

type BackupCondition = Extract<ConditionConfig, { type: "backup" }>;

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
    // The job's first run: its first backup row, or else its first queued job.
    firstRun: client.prepare(
      `select min(started_at) as at from backups
       where job_id = ? and kind != 'safety' and started_at <= ?`,
    ),
    firstQueued: client.prepare(
      `select min(created_at) as at from jobs
       where kind = 'backup.run' and json_extract(params, '$.backup') = ? and created_at <= ?`,
    ),
  };
}
const prepared = new WeakMap<object, ReturnType<typeof statements>>();
function sql(db: Db) {
  let s = prepared.get(db.$client);
  if (!s) prepared.set(db.$client, (s = statements(db.$client)));
  return s;
}

/**
 * The newest verified backup is too old, or the newest finished run failed. A job that
 * has no verified backup yet is not "stale" before its first run has had its chance:
 * it fires once a run finished without one, or once the first run (or the first queued
 * job) is older than the rule's maxAge, so a fresh install does not page at boot.
 */
export const backupCondition: Evaluator<BackupCondition> = (c, ctx) => {
  const q = sql(ctx.db);
  const out: Instance[] = [];
  const jobs = ctx.config.backups.filter((b) => c.backups.length === 0 || c.backups.includes(b.id));
  for (const b of jobs) {
    const labels = { service: b.service, environment: b.environment, backup: b.id };
    const name = b.name ?? b.id;
    const last = q.lastFinished.get(b.id, ctx.now) as
      { id: number; status: string; error: string | null } | undefined;
    if (c.maxAge !== undefined) {
      const verified = q.lastVerified.get(b.id, ctx.now) as { finishedAt: number } | undefined;
      if (verified) {
        const age = ctx.now - verified.finishedAt;
        if (age > c.maxAge)
          out.push({
            labels: { ...labels, problem: "stale" },
            value: Math.round(age / 1000),
            summary: `${name}: the newest verified backup is ${formatDuration(age)} old (limit ${formatDuration(c.maxAge)})`,
          });
      } else {
        const first =
          (q.firstRun.get(b.id, ctx.now) as { at: number | null }).at ??
          (q.firstQueued.get(b.id, ctx.now) as { at: number | null }).at;
        if (last || (first !== null && ctx.now - first > c.maxAge))
          out.push({
            labels: { ...labels, problem: "stale" },
            summary: last
              ? `${name}: there is no verified backup`
              : `${name}: there is no verified backup: the first run has not finished in ${formatDuration(ctx.now - first!)}`,
          });
      }
    }
    if (c.onFailure && last?.status === "failed")
      out.push({
        labels: { ...labels, problem: "failed" },
        summary: `${name}: the last backup failed${last.error ? `: ${last.error}` : ""}`,
      });
  }
  return out;
};
