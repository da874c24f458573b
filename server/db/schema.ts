import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
  failures: integer("failures").notNull().default(0),
  lastFailureAt: integer("last_failure_at", { mode: "timestamp_ms" }).notNull(),
  blockedUntil: integer("blocked_until", { mode: "timestamp_ms" }),
});

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
    runner: text("runner"),
    heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }),
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
export type Job = typeof jobs.$inferSelect;
export type JobLog = typeof jobLogs.$inferSelect;
