/** A backup as pages show it. */
export type BackupView = {
  id: number;
  jobId: string;
  kind: "scheduled" | "manual" | "safety" | "external";
  status: "running" | "verified" | "failed" | "deleted";
  fileName: string | null;
  sizeBytes: number | null;
  rawBytes: number | null;
  sha256: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  verified: boolean;
  tableCount: number | null;
  rowCount: number | null;
  error: string | null;
  drill: { at: string; ok: boolean; detail: string | null } | null;
  deletedReason: string | null;
  requestedBy: string;
  /** The Opsdeck job that took it: for a safety copy, the restore it was taken before. */
  runJobId: number | null;
};

/** A restore of a backup (an Opsdeck job), as the history shows it. */
export type RestoreView = {
  /** The Opsdeck job that ran it (/jobs/<id>). */
  jobId: number;
  /** The backup job in opsdeck.yaml. */
  backupJobId: string;
  backupId: number;
  backupFileName: string | null;
  status: "queued" | "running" | "succeeded" | "failed" | "canceled";
  requestedBy: string;
  at: string;
  finishedAt: string | null;
  error: string | null;
  /** The safety copy of the live database it took first, once taken. */
  safetyBackupId: number | null;
};

/** One line of the backup history: a backup (scheduled, manual, safety copy, external) or a restore. */
export type BackupHistoryEntry =
  | { type: "backup"; at: string; backup: BackupView }
  | { type: "restore"; at: string; restore: RestoreView };

export type BackupJobSummary = {
  id: string;
  name: string;
  service: string;
  /** The service's display name (config `name`); `service` is its id. */
  serviceName: string;
  environment: string;
  environmentName: string;
  protectedEnvironment: boolean;
  /** Opsdeck's own database: restored with Opsdeck stopped, never from this page. */
  selfBackup: boolean;
  source: "sqlite" | "command" | "external";
  schedule: string | null;
  nextRunAt: string | null;
  lastSuccess: BackupView | null;
  lastRun: BackupView | null;
  /** True when the newest success is older than the last scheduled slot plus the grace. */
  overdue: boolean;
  successRate30d: { ok: number; total: number };
  lastDrill: { at: string; ok: boolean; detail: string | null; backupId: number } | null;
};
