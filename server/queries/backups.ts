import "server-only";
import path from "node:path";
import { Cron } from "croner";
import { and, desc, eq, gte, inArray, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import type {
  BackupHistoryEntry,
  BackupJobSummary,
  BackupView,
  RestoreView,
} from "@/lib/backup-view";
import type { BackupJobConfig, OpsdeckConfig } from "@/server/config/schema";
import { isSelfBackup } from "@/server/config/self-backup";
import type { Db } from "@/server/db";
import { backups, checkResults, jobs, type Backup, type JobStatus } from "@/server/db/schema";

const DAY = 86_400_000;

export function toBackupView(b: Backup): BackupView {
  const tables = b.tables ?? null;
  return {
    id: b.id,
    jobId: b.jobId,
    kind: b.kind,
    status: b.status,
    fileName: b.file ? path.basename(b.file) : null,
    sizeBytes: b.sizeBytes,
    rawBytes: b.rawBytes,
    sha256: b.sha256,
    startedAt: b.startedAt.toISOString(),
    finishedAt: b.finishedAt?.toISOString() ?? null,
    durationMs: b.durationMs,
    verified: b.verified,
    tableCount: tables ? Object.keys(tables).length : null,
    rowCount: tables ? Object.values(tables).reduce((a, n) => a + n, 0) : null,
    error: b.error,
    drill: b.drillAt
      ? { at: b.drillAt.toISOString(), ok: Boolean(b.drillOk), detail: b.drillDetail }
      : null,
    deletedReason: b.deletedReason,
    requestedBy: b.requestedBy,
    runJobId: b.runJobId,
  };
}

/** Pings of the heartbeat monitor an external backup reports to, as backups. */
function externalBackups(db: Db, job: BackupJobConfig, since: number, limit: number): BackupView[] {
  if (job.source.type !== "external") return [];
  return db
    .select()
    .from(checkResults)
    .where(
      and(eq(checkResults.monitorId, job.source.heartbeat), gte(checkResults.at, new Date(since))),
    )
    .orderBy(desc(checkResults.at))
    .limit(limit)
    .all()
    .filter((c) => c.detail || c.status !== "down" || c.error?.startsWith("job failed"))
    .map((c, i) => ({
      id: -(i + 1),
      jobId: job.id,
      kind: "external" as const,
      status: c.status === "down" ? ("failed" as const) : ("verified" as const),
      fileName: null,
      sizeBytes: typeof c.detail?.sizeBytes === "number" ? c.detail.sizeBytes : null,
      rawBytes: null,
      sha256: null,
      startedAt: new Date(c.at.getTime() - (c.responseMs ?? 0)).toISOString(),
      finishedAt: c.at.toISOString(),
      durationMs: c.responseMs,
      verified: false,
      tableCount: null,
      rowCount: null,
      error: c.status === "down" ? c.error : null,
      drill: null,
      deletedReason: null,
      requestedBy: "external",
      runJobId: null,
    }));
}

function lastSlot(cron: string, now: number): { previous: Date | null; next: Date | null } {
  const c = new Cron(cron, { timezone: "UTC", paused: true });
  return {
    previous: c.previousRuns(1, new Date(now + 1))[0] ?? null,
    next: c.nextRun(new Date(now)),
  };
}

/** Per backup job: last success and run, whether it is overdue, success over 30 days, drills, next run. */
export function backupSummaries(
  db: Db,
  config: OpsdeckConfig,
  now = Date.now(),
): BackupJobSummary[] {
  return config.backups.map((job) => {
    // Opsdeck's own job names no configured environment.
    const env = config.environments.find((e) => e.id === job.environment);
    const recent =
      job.source.type === "external"
        ? externalBackups(db, job, now - 30 * DAY, 500)
        : db
            .select()
            .from(backups)
            .where(and(eq(backups.jobId, job.id), gte(backups.startedAt, new Date(now - 30 * DAY))))
            .orderBy(desc(backups.startedAt))
            .all()
            .filter((b) => b.kind !== "safety")
            .map(toBackupView);
    // A restore's safety copy is a copy of whatever was live, not the job's backup.
    const newestVerified = db
      .select()
      .from(backups)
      .where(
        and(
          eq(backups.jobId, job.id),
          eq(backups.status, "verified"),
          inArray(backups.kind, ["scheduled", "manual"]),
        ),
      )
      .orderBy(desc(backups.startedAt))
      .get();
    const lastSuccess =
      job.source.type === "external"
        ? (recent.find((b) => b.status === "verified") ?? null)
        : newestVerified
          ? toBackupView(newestVerified)
          : null;
    const drilled = db
      .select()
      .from(backups)
      .where(and(eq(backups.jobId, job.id), isNotNull(backups.drillAt)))
      .orderBy(desc(backups.drillAt))
      .get();
    const slots =
      job.source.type === "external" ? { previous: null, next: null } : lastSlot(job.schedule, now);
    const finished = recent.filter((b) => b.status !== "running");
    const reference = slots.previous?.getTime() ?? null;
    const overdue =
      reference !== null
        ? now - reference > job.grace &&
          (!lastSuccess || Date.parse(lastSuccess.startedAt) < reference - job.grace)
        : false;
    return {
      id: job.id,
      name: job.name ?? job.id,
      service: job.service,
      serviceName: config.services.find((s) => s.id === job.service)?.name ?? job.service,
      environment: job.environment,
      environmentName: env?.name ?? "Opsdeck itself",
      protectedEnvironment: env?.protected ?? false,
      selfBackup: isSelfBackup(job.id),
      source: job.source.type,
      schedule: job.source.type === "external" ? null : job.schedule,
      nextRunAt: slots.next?.toISOString() ?? null,
      lastSuccess,
      lastRun: recent[0] ?? null,
      overdue,
      successRate30d: {
        // A verified backup later removed by retention still counts as a success.
        ok: finished.filter((b) => b.verified || (b.kind === "external" && b.status === "verified"))
          .length,
        total: finished.length,
      },
      lastDrill: drilled?.drillAt
        ? {
            at: drilled.drillAt.toISOString(),
            ok: Boolean(drilled.drillOk),
            detail: drilled.drillDetail,
            backupId: drilled.id,
          }
        : null,
    };
  });
}

export type BackupFilter = {
  job?: string;
  status?: Backup["status"];
  kind?: Backup["kind"] | "restore";
  before?: number;
};

/** What a backup status filter means for restores (a restore is a job). */
const RESTORE_STATUSES: Record<Backup["status"], JobStatus[]> = {
  verified: ["succeeded"],
  failed: ["failed"],
  running: ["queued", "running"],
  deleted: [],
};

/** Restore jobs, newest first, with the backup they restored and the safety copy they took. */
function restores(
  db: Db,
  filter: BackupFilter,
  window: { from?: Date; until?: Date; beforeJob?: number },
  limit: number,
): RestoreView[] {
  const statuses = filter.status ? RESTORE_STATUSES[filter.status] : undefined;
  if (statuses?.length === 0) return [];
  const restored = sql<number>`json_extract(${jobs.params}, '$.backupId')`;
  const rows = db
    .select({ job: jobs, backupJobId: backups.jobId, file: backups.file })
    .from(jobs)
    .leftJoin(backups, eq(backups.id, restored))
    .where(
      and(
        eq(jobs.kind, "backup.restore"),
        filter.job ? eq(backups.jobId, filter.job) : undefined,
        statuses ? inArray(jobs.status, statuses) : undefined,
        window.from ? gte(jobs.createdAt, window.from) : undefined,
        window.until ? lt(jobs.createdAt, window.until) : undefined,
        window.beforeJob ? lt(jobs.id, window.beforeJob) : undefined,
      ),
    )
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit)
    .all();
  const safety = new Map(
    rows.length === 0
      ? []
      : db
          .select({ id: backups.id, runJobId: backups.runJobId })
          .from(backups)
          .where(
            and(
              eq(backups.kind, "safety"),
              inArray(
                backups.runJobId,
                rows.map((r) => r.job.id),
              ),
            ),
          )
          .all()
          .map((b) => [b.runJobId, b.id]),
  );
  return rows.map(({ job, backupJobId, file }) => ({
    jobId: job.id,
    backupJobId: backupJobId ?? "?",
    backupId: (job.params as { backupId: number }).backupId,
    backupFileName: file ? path.basename(file) : null,
    status: job.status,
    requestedBy: job.requestedByName,
    at: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    error: job.error,
    safetyBackupId: safety.get(job.id) ?? null,
  }));
}

const restoreEntry = (r: RestoreView): BackupHistoryEntry => ({
  type: "restore",
  at: r.at,
  restore: r,
});

export const backupEntry = (b: BackupView): BackupHistoryEntry => ({
  type: "backup",
  at: b.startedAt,
  backup: b,
});

/**
 * Backup history, newest first, keyset-paged by backup id; restores are events of their
 * own, each on the page whose backups span its time. With `kind: "restore"` it lists
 * restores only, paged by their job id. `nextBefore` is the next (older) page's cursor.
 */
export function backupHistory(
  db: Db,
  filter: BackupFilter,
  limit = 50,
): { entries: BackupHistoryEntry[]; nextBefore: number | null } {
  if (filter.kind === "restore") {
    const list = restores(db, filter, { beforeJob: filter.before }, limit);
    return {
      entries: list.map(restoreEntry),
      nextBefore: list.length === limit ? list.at(-1)!.jobId : null,
    };
  }
  const where: (SQL | undefined)[] = [
    filter.job ? eq(backups.jobId, filter.job) : undefined,
    filter.status ? eq(backups.status, filter.status) : undefined,
    filter.kind ? eq(backups.kind, filter.kind) : undefined,
    filter.before ? lt(backups.id, filter.before) : undefined,
  ];
  const rows = db
    .select()
    .from(backups)
    .where(and(...where))
    .orderBy(desc(backups.id))
    .limit(limit)
    .all()
    .map(toBackupView);
  const full = rows.length === limit;
  const around = filter.kind
    ? []
    : restores(
        db,
        filter,
        {
          from: full ? new Date(rows.at(-1)!.startedAt) : undefined,
          until: filter.before ? getBackup(db, filter.before)?.startedAt : undefined,
        },
        500,
      );
  return {
    entries: [...rows.map(backupEntry), ...around.map(restoreEntry)].sort(
      (a, b) => Date.parse(b.at) - Date.parse(a.at),
    ),
    nextBefore: full ? rows.at(-1)!.id : null,
  };
}

export function getBackup(db: Db, id: number): Backup | undefined {
  return db.select().from(backups).where(eq(backups.id, id)).get();
}

/** External backups' recent reports, for the history table. */
export function externalHistory(db: Db, config: OpsdeckConfig, now = Date.now()): BackupView[] {
  return config.backups.flatMap((job) => externalBackups(db, job, now - 30 * DAY, 50));
}
