import "server-only";
import { sql } from "drizzle-orm";
import { DEPLOY_OUTCOMES } from "@/lib/deploy-outcome";
import { BUCKETS } from "@/lib/histogram";
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;
const createdAt = () => integer("created_at", { mode: "timestamp_ms" }).notNull().default(now);

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ["viewer", "operator", "admin"] }).notNull(),
    passwordHash: text("password_hash"),
    provider: text("provider", { enum: ["credentials", "oidc"] })
      .notNull()
      .default("credentials"),
    oidcSubject: text("oidc_subject"),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    // Bumped on role change, disable, password reset: every session issued before is void.
    sessionVersion: integer("session_version").notNull().default(1),
    lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
    // IANA zone the user reads times in; null = whatever their browser says.
    timeZone: text("time_zone"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .default(now)
      .$onUpdate(() => new Date()),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    uniqueIndex("users_oidc_subject_unique").on(t.oidcSubject),
  ],
);

export const loginThrottle = sqliteTable("login_throttle", {
  // "account:<email>" or "ip:<address>"
  key: text("key").primaryKey(),
  // Attempts counted before their password is checked; a success gives its attempt back.
  failures: integer("failures").notNull().default(0),
  lastFailureAt: integer("last_failure_at", { mode: "timestamp_ms" }).notNull(),
  blockedUntil: integer("blocked_until", { mode: "timestamp_ms" }),
  // Throttled attempts not yet in an audit row, and when this key's last such row was written.
  denied: integer("denied").notNull().default(0),
  deniedAuditedAt: integer("denied_audited_at", { mode: "timestamp_ms" }),
});

// Sessions signed out before their token expires: a session token names its session
// (sid, fixed at sign-in, kept through renewals), and a listed one is refused.
export const sessionRevocations = sqliteTable(
  "session_revocations",
  {
    sid: text("sid").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }).notNull(),
    // Every token of the session has expired by then; the row can go.
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("session_revocations_expires_at").on(t.expiresAt)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actorId: integer("actor_id"),
    actorName: text("actor_name").notNull(),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    outcome: text("outcome", { enum: ["success", "denied", "failure"] }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_actor_idx").on(t.actorId, t.at),
    index("audit_log_action_idx").on(t.action, t.at),
  ],
);

export const AUDIT_CHECKPOINT_KINDS = ["keyed", "verified", "archive"] as const;

/**
 * Signed records of the audit chain's head (row id and hash) at a moment: "keyed" marks
 * where the HMAC chain starts (rows up to it are the old SHA-256 chain), "verified" is
 * written after a verification passed, "archive" where archived rows were cut off.
 * Append-only (triggers in the migration); the newest is also kept outside the database.
 */
export const auditCheckpoints = sqliteTable(
  "audit_checkpoints",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: AUDIT_CHECKPOINT_KINDS }).notNull(),
    rowId: integer("row_id").notNull(),
    rowHash: text("row_hash").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    keyId: text("key_id").notNull(),
    signature: text("signature").notNull(),
  },
  (t) => [
    index("audit_checkpoints_kind_idx").on(t.kind, t.rowId),
    index("audit_checkpoints_row_idx").on(t.rowId),
  ],
);

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobs = sqliteTable(
  "jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind").notNull(),
    params: text("params", { mode: "json" }).$type<unknown>().notNull(),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("queued"),
    progress: integer("progress"),
    progressLabel: text("progress_label"),
    result: text("result", { mode: "json" }).$type<unknown>(),
    error: text("error"),
    requestedBy: integer("requested_by").references(() => users.id, { onDelete: "set null" }),
    requestedByName: text("requested_by_name").notNull(),
    idempotencyKey: text("idempotency_key"),
    // Only one queued or running job may hold a lock key (partial unique index below).
    lockKey: text("lock_key"),
    // The fencing token of a running job is (runner, epoch): the epoch goes up at every
    // claim, and every progress, log and finish write of the runner names both.
    runner: text("runner"),
    epoch: integer("epoch").notNull().default(0),
    heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }),
    /** Set by "Cancel" on a running job; its runner stops it at the next safe point. */
    cancelRequestedAt: integer("cancel_requested_at", { mode: "timestamp_ms" }),
    cancelRequestedBy: text("cancel_requested_by"),
    createdAt: createdAt(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("jobs_idempotency_key_unique").on(t.idempotencyKey),
    uniqueIndex("jobs_active_lock_unique")
      .on(t.lockKey)
      .where(sql`${t.status} in ('queued', 'running') and ${t.lockKey} is not null`),
    index("jobs_status_idx").on(t.status, t.id),
    index("jobs_kind_idx").on(t.kind, t.createdAt),
  ],
);

export const jobLogs = sqliteTable(
  "job_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: integer("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    level: text("level", { enum: ["debug", "info", "warn", "error"] }).notNull(),
    message: text("message").notNull(),
  },
  (t) => [index("job_logs_job_idx").on(t.jobId, t.id)],
);

export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  // Goes up at every new tenure (another holder, or the same one after expiry): with the
  // holder, the fencing token the holder's writes are checked against.
  epoch: integer("epoch").notNull().default(1),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  acquiredAt: integer("acquired_at", { mode: "timestamp_ms" }).notNull(),
});

export const scheduleRuns = sqliteTable("schedule_runs", {
  name: text("name").primaryKey(),
  lastSlotAt: integer("last_slot_at", { mode: "timestamp_ms" }).notNull(),
  lastJobId: integer("last_job_id"),
});

export type User = typeof users.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type AuditCheckpointRow = typeof auditCheckpoints.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type JobLog = typeof jobLogs.$inferSelect;

// ---- Uptime monitoring -------------------------------------------------------------

export const CHECK_STATUSES = ["up", "degraded", "down"] as const;

/** One check of one monitor. Kept for the raw retention (default 7 days). */
export const checkResults = sqliteTable(
  "check_results",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    monitorId: text("monitor_id").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    status: text("status", { enum: CHECK_STATUSES }).notNull(),
    responseMs: integer("response_ms"),
    statusCode: integer("status_code"),
    error: text("error"),
    tlsDaysLeft: integer("tls_days_left"),
    /** Taken during a maintenance window: shown, but not counted against uptime. */
    maintenance: integer("maintenance", { mode: "boolean" }).notNull().default(false),
    /** A failed check inside the retry budget: the monitor was not (yet) marked down. */
    retrying: integer("retrying", { mode: "boolean" }).notNull().default(false),
    /** What a heartbeat ping reported besides its outcome ({sizeBytes, message}). */
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [
    index("check_results_monitor_at_idx").on(t.monitorId, t.at),
    index("check_results_at_idx").on(t.at),
  ],
);

// One column per latency bucket (lib/histogram.ts), h0 … h19.
const histogramColumns = Object.fromEntries(
  Array.from({ length: BUCKETS }, (_, i) => [`h${i}`, integer(`h${i}`).notNull().default(0)]),
) as Record<`h${number}`, ReturnType<typeof integer>>;

export const ROLLUP_RESOLUTIONS = ["minute", "hour", "day"] as const;
export type RollupResolution = (typeof ROLLUP_RESOLUTIONS)[number];

/**
 * Check counts and latency per monitor per minute, hour and day. Counters are 64-bit
 * SQLite integers; the histogram columns merge by addition, so percentiles over any
 * range come from summing rows.
 */
export const monitorRollups = sqliteTable(
  "monitor_rollups",
  {
    monitorId: text("monitor_id").notNull(),
    resolution: text("resolution", { enum: ROLLUP_RESOLUTIONS }).notNull(),
    bucket: integer("bucket").notNull(),
    up: integer("up").notNull().default(0),
    degraded: integer("degraded").notNull().default(0),
    down: integer("down").notNull().default(0),
    maintenance: integer("maintenance").notNull().default(0),
    respCount: integer("resp_count").notNull().default(0),
    respSum: integer("resp_sum").notNull().default(0),
    respMin: integer("resp_min"),
    respMax: integer("resp_max"),
    ...histogramColumns,
  },
  (t) => [
    primaryKey({ columns: [t.monitorId, t.resolution, t.bucket] }),
    index("monitor_rollups_res_bucket_idx").on(t.resolution, t.bucket),
  ],
);

/**
 * The hour rows of the last 25 hours again, latency only, kept by the recorder beside
 * monitor_rollups: the 24 h percentiles of every monitor come from one scan of this
 * small table (monitors × 25 rows) instead of one seek per monitor into a table that
 * grows with history. Rows older than 25 hours are deleted as hours pass.
 */
export const monitorRecentHours = sqliteTable(
  "monitor_recent_hours",
  {
    monitorId: text("monitor_id").notNull(),
    bucket: integer("bucket").notNull(),
    respMin: integer("resp_min"),
    respMax: integer("resp_max"),
    ...histogramColumns,
  },
  (t) => [primaryKey({ columns: [t.monitorId, t.bucket] })],
);

export const MONITOR_STATES = [
  "unknown",
  "up",
  "degraded",
  "pending",
  "down",
  "paused",
  "new",
  "late",
] as const;
export type MonitorStatus = (typeof MONITOR_STATES)[number];

/** Where each monitor stands now: what the pages show and what a restart resumes from. */
export const monitorState = sqliteTable("monitor_state", {
  monitorId: text("monitor_id").primaryKey(),
  status: text("status", { enum: MONITOR_STATES }).notNull().default("unknown"),
  since: integer("since", { mode: "timestamp_ms" }).notNull(),
  lastCheckAt: integer("last_check_at", { mode: "timestamp_ms" }),
  lastResponseMs: integer("last_response_ms"),
  lastStatusCode: integer("last_status_code"),
  lastError: text("last_error"),
  tlsDaysLeft: integer("tls_days_left"),
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  /** When the current run of failed checks began; an incident starts then, not when retries ran out. */
  failingSince: integer("failing_since", { mode: "timestamp_ms" }),
  firstError: text("first_error"),
  /** Paused from the UI (the config's `paused` is separate and wins). */
  pausedBy: text("paused_by"),
  pausedAt: integer("paused_at", { mode: "timestamp_ms" }),
  lastPingAt: integer("last_ping_at", { mode: "timestamp_ms" }),
  lastStartAt: integer("last_start_at", { mode: "timestamp_ms" }),
  /** The monitor's first recorded check: a window longer than its history starts here. */
  firstCheckAt: integer("first_check_at", { mode: "timestamp_ms" }),
});

/** A stretch of time a monitor was down (after its retries). */
export const incidents = sqliteTable(
  "incidents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    monitorId: text("monitor_id").notNull(),
    openedAt: integer("opened_at", { mode: "timestamp_ms" }).notNull(),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
    /** The first error: usually the most telling. */
    cause: text("cause").notNull(),
    lastError: text("last_error"),
    failedChecks: integer("failed_checks").notNull().default(1),
  },
  (t) => [
    index("incidents_monitor_opened_idx").on(t.monitorId, t.openedAt),
    // Uptime windows read every incident still open or closed inside the last 90 days.
    index("incidents_closed_idx").on(t.closedAt),
    // The newest incidents of every monitor (/uptime's list) without sorting them all.
    index("incidents_opened_idx").on(t.openedAt),
    uniqueIndex("incidents_one_open_per_monitor")
      .on(t.monitorId)
      .where(sql`${t.closedAt} is null`),
  ],
);

export type CheckResult = typeof checkResults.$inferSelect;
export type MonitorRollup = typeof monitorRollups.$inferSelect;
export type MonitorStateRow = typeof monitorState.$inferSelect;
export type Incident = typeof incidents.$inferSelect;

// ---- Backups -------------------------------------------------------------------------

export const BACKUP_STATUSES = ["running", "verified", "failed", "deleted"] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** One backup run (or one external backup reported by heartbeat) and what became of its file. */
export const backups = sqliteTable(
  "backups",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The backup job's id in opsdeck.yaml. */
    jobId: text("job_id").notNull(),
    runJobId: integer("run_job_id").references(() => jobs.id, { onDelete: "set null" }),
    kind: text("kind", { enum: ["scheduled", "manual", "safety", "external"] }).notNull(),
    status: text("status", { enum: BACKUP_STATUSES }).notNull(),
    /** Absolute path of the final file; null until it exists under its final name. */
    file: text("file"),
    sizeBytes: integer("size_bytes"),
    rawBytes: integer("raw_bytes"),
    sha256: text("sha256"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    durationMs: integer("duration_ms"),
    verified: integer("verified", { mode: "boolean" }).notNull().default(false),
    /** Table name → row count, as found by verification. */
    tables: text("tables", { mode: "json" }).$type<Record<string, number>>(),
    error: text("error"),
    drillAt: integer("drill_at", { mode: "timestamp_ms" }),
    drillOk: integer("drill_ok", { mode: "boolean" }),
    drillDetail: text("drill_detail"),
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
    deletedReason: text("deleted_reason"),
    requestedBy: text("requested_by").notNull(),
  },
  (t) => [
    index("backups_job_started_idx").on(t.jobId, t.startedAt),
    index("backups_status_idx").on(t.status),
  ],
);

export type Backup = typeof backups.$inferSelect;

// ---- Deployments ---------------------------------------------------------------------

export const DEPLOY_STATUSES = ["started", "succeeded", "failed", "unknown"] as const;
export type DeployStatus = (typeof DEPLOY_STATUSES)[number];

/** One deployment of a service to an environment, from CI, the platform, or a rollback made here. */
export const deployments = sqliteTable(
  "deployments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    service: text("service").notNull(),
    environment: text("environment").notNull(),
    version: text("version").notNull(),
    commitSha: text("commit_sha"),
    /** When the commit was made (for lead time), when CI knows it. */
    committedAt: integer("committed_at", { mode: "timestamp_ms" }),
    status: text("status", { enum: DEPLOY_STATUSES }).notNull(),
    /** The platform's own word for the status, kept as it came (Railway's BUILDING, CRASHED…). */
    providerStatus: text("provider_status"),
    author: text("author"),
    message: text("message"),
    url: text("url"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    /** The id CI or the platform gives the deployment; the same id updates the same record. */
    externalId: text("external_id"),
    source: text("source", { enum: ["ci", "platform", "opsdeck"] }).notNull(),
    /** Set when this deployment restored an earlier one (a rollback). */
    rollbackOf: integer("rollback_of"),
    /**
     * What an Opsdeck rollback or redeploy ended as, once its verification finished
     * (lib/deploy-outcome.ts); null while it runs and for records from CI or the platform.
     */
    outcome: text("outcome", { enum: DEPLOY_OUTCOMES }),
    outcomeAt: integer("outcome_at", { mode: "timestamp_ms" }),
    canRollback: integer("can_rollback", { mode: "boolean" }),
    /** Who or what reported it (integration id, "railway", a user's email). */
    reportedBy: text("reported_by").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .default(now)
      .$onUpdate(() => new Date()),
  },
  (t) => [
    uniqueIndex("deployments_external_unique")
      .on(t.service, t.environment, t.externalId)
      .where(sql`${t.externalId} is not null`),
    uniqueIndex("deployments_version_start_unique").on(
      t.service,
      t.environment,
      t.version,
      t.startedAt,
    ),
    index("deployments_env_started_idx").on(t.environment, t.startedAt),
    index("deployments_service_env_started_idx").on(t.service, t.environment, t.startedAt),
  ],
);

export type Deployment = typeof deployments.$inferSelect;

// ---- Alerting and on-call ------------------------------------------------------------

/** "event": a notification from an event rule (a deployment, a job): sent once, never resolved. */
export const ALERT_STATES = ["pending", "firing", "resolved", "inactive", "event"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * One episode of one alert: from the moment its condition held (pending) through
 * firing to resolved, or back to inactive when it cleared before `for` passed.
 * The same rule and labels (fingerprint) start a new episode the next time.
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ruleId: text("rule_id").notNull(),
    fingerprint: text("fingerprint").notNull(),
    labels: text("labels", { mode: "json" }).$type<Record<string, string>>().notNull(),
    severity: text("severity", { enum: ["critical", "warning", "info"] }).notNull(),
    summary: text("summary").notNull(),
    value: real("value"),
    state: text("state", { enum: ALERT_STATES }).notNull(),
    /** When the condition was first seen holding. */
    activeAt: integer("active_at", { mode: "timestamp_ms" }).notNull(),
    /** The last evaluation at which it held (keepFiringFor counts from here). */
    lastActiveAt: integer("last_active_at", { mode: "timestamp_ms" }).notNull(),
    firedAt: integer("fired_at", { mode: "timestamp_ms" }),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    /** Who resolved it by hand; null when its condition cleared. */
    resolvedBy: text("resolved_by"),
    falsePositive: integer("false_positive", { mode: "boolean" }).notNull().default(false),
    /** Resolved by hand while its condition still held: no new episode until it clears. */
    holdUntilClear: integer("hold_until_clear", { mode: "boolean" }).notNull().default(false),
    ackedAt: integer("acked_at", { mode: "timestamp_ms" }),
    ackedBy: text("acked_by"),
    escalationPolicy: text("escalation_policy"),
    escalationLevel: integer("escalation_level"),
    escalationRound: integer("escalation_round"),
    escalationNextAt: integer("escalation_next_at", { mode: "timestamp_ms" }),
    /** Events only: when the dispatcher handed it to its routes (sent, or held by a silence). */
    notifiedAt: integer("notified_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("alerts_one_open_per_fingerprint")
      .on(t.ruleId, t.fingerprint)
      .where(sql`${t.state} in ('pending', 'firing') or ${t.holdUntilClear} = 1`),
    // State lookups, and the keyset of the firing/pending list (newest first).
    index("alerts_state_active_idx").on(t.state, t.activeAt, t.id),
    index("alerts_rule_fired_idx").on(t.ruleId, t.firedAt),
    index("alerts_active_at_idx").on(t.activeAt),
    index("alerts_events_pending_idx")
      .on(t.activeAt)
      .where(sql`${t.state} = 'event' and ${t.notifiedAt} is null`),
  ],
);

/** Every state change of every alert episode, by the evaluator or a person. */
export const alertTransitions = sqliteTable(
  "alert_transitions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    alertId: integer("alert_id")
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    from: text("from_state").notNull(),
    to: text("to_state").notNull(),
    /** Null for the evaluator; otherwise the person. */
    by: text("by"),
    note: text("note"),
  },
  (t) => [index("alert_transitions_alert_idx").on(t.alertId, t.at)],
);

export const STATUS_UPDATE_STATES = [
  "investigating",
  "identified",
  "monitoring",
  "resolved",
] as const;

/**
 * Public notes on an alert, shown on the status pages that list its service: an
 * alert with updates is a public incident, titled by its first update; its status is
 * its latest update's.
 */
export const statusUpdates = sqliteTable(
  "status_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    alertId: integer("alert_id")
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
    /** The alert's service when posted: the status pages listing it show the update. */
    service: text("service").notNull(),
    /** The status pages that listed the service when it was posted (a record; reads go by service). */
    statusPages: text("status_pages", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status", { enum: STATUS_UPDATE_STATES }).notNull(),
    /** Set on an incident's first update: its public title. */
    title: text("title"),
    message: text("message").notNull(),
    authorId: integer("author_id"),
    author: text("author").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("status_updates_service_alert_idx").on(t.service, t.alertId, t.id),
    index("status_updates_alert_idx").on(t.alertId, t.id),
  ],
);

/** What each notification group last told its channels (Alertmanager's notification log). */
export const alertGroups = sqliteTable("alert_groups", {
  key: text("key").primaryKey(),
  route: text("route").notNull(),
  labels: text("labels", { mode: "json" }).$type<Record<string, string>>().notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  /** Alert ids that were firing at the last notification. */
  notified: text("notified", { mode: "json" }).$type<number[]>().notNull(),
  lastFlushAt: integer("last_flush_at", { mode: "timestamp_ms" }),
  nextFlushAt: integer("next_flush_at", { mode: "timestamp_ms" }).notNull(),
  flushes: integer("flushes").notNull().default(0),
});

export const silences = sqliteTable(
  "silences",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    matchers: text("matchers", { mode: "json" })
      .$type<{ name: string; op: "=" | "!=" | "=~" | "!~"; value: string }[]>()
      .notNull(),
    startsAt: integer("starts_at", { mode: "timestamp_ms" }).notNull(),
    endsAt: integer("ends_at", { mode: "timestamp_ms" }).notNull(),
    comment: text("comment").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    expiredBy: text("expired_by"),
  },
  (t) => [index("silences_ends_idx").on(t.endsAt)],
);

export const NOTIFICATION_STATUSES = ["pending", "sent", "failed", "expired"] as const;

/**
 * The outbox: a notification is a row before anything is sent, written in the same
 * transaction as the decision to send it; the sender delivers each row once.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    channelId: text("channel_id").notNull(),
    kind: text("kind", {
      enum: ["firing", "resolved", "test", "escalation", "digest", "event", "ack"],
    }).notNull(),
    /** Makes enqueuing idempotent: a group flush, an escalation step, a digest slot. */
    dedupeKey: text("dedupe_key").notNull(),
    groupKey: text("group_key"),
    alertIds: text("alert_ids", { mode: "json" }).$type<number[]>().notNull(),
    payload: text("payload", { mode: "json" }).$type<unknown>().notNull(),
    /** For escalations: the person paged (email channels send to this address). */
    recipient: text("recipient"),
    status: text("status", { enum: NOTIFICATION_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    lastError: text("last_error"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("notifications_dedupe_unique").on(t.channelId, t.dedupeKey),
    index("notifications_pending_idx")
      .on(t.channelId, t.id)
      .where(sql`${t.status} = 'pending'`),
    index("notifications_created_idx").on(t.createdAt),
  ],
);

/** How delivery to each channel is going: shown on the channel's page. */
export const channelState = sqliteTable("channel_state", {
  channelId: text("channel_id").primaryKey(),
  lastSuccessAt: integer("last_success_at", { mode: "timestamp_ms" }),
  lastErrorAt: integer("last_error_at", { mode: "timestamp_ms" }),
  lastError: text("last_error"),
  /** The last error was permanent (e.g. Slack's channel_not_found): retrying will not help. */
  permanent: integer("permanent", { mode: "boolean" }).notNull().default(false),
  /** 429 Retry-After: nothing is sent to this channel before then. */
  blockedUntil: integer("blocked_until", { mode: "timestamp_ms" }),
});

export const oncallOverrides = sqliteTable(
  "oncall_overrides",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    scheduleId: text("schedule_id").notNull(),
    person: text("person").notNull(),
    startsAt: integer("starts_at", { mode: "timestamp_ms" }).notNull(),
    endsAt: integer("ends_at", { mode: "timestamp_ms" }).notNull(),
    reason: text("reason"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
    deletedBy: text("deleted_by"),
  },
  (t) => [index("oncall_overrides_schedule_idx").on(t.scheduleId, t.endsAt)],
);

/** A personal secret for the iCalendar feed; only its SHA-256 is kept. */
export const calendarTokens = sqliteTable(
  "calendar_tokens",
  {
    userId: integer("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("calendar_tokens_hash_unique").on(t.tokenHash)],
);

/**
 * Acknowledge links that were used: a link works once. Keyed by the SHA-256 of the
 * token (never the token itself); a row can go once the link has expired.
 */
export const ackLinkUses = sqliteTable(
  "ack_link_uses",
  {
    tokenHash: text("token_hash").primaryKey(),
    alertId: integer("alert_id")
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
    /** Whom the link was sent to: a person's address, or "channel:<id>". */
    recipient: text("recipient").notNull(),
    usedBy: text("used_by").notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("ack_link_uses_expires_idx").on(t.expiresAt)],
);

export type AlertRow = typeof alerts.$inferSelect;
export type AlertTransition = typeof alertTransitions.$inferSelect;
export type AlertGroupRow = typeof alertGroups.$inferSelect;
export type Silence = typeof silences.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;
export type ChannelStateRow = typeof channelState.$inferSelect;
export type OncallOverride = typeof oncallOverrides.$inferSelect;
