import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { getConfig } from "@/server/config";
import type { BackupJobConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backups, jobs, type JobStatus } from "@/server/db/schema";
import { backupHistory, backupSummaries } from "./backups";

let db: Db;
beforeEach(() => {
  db = freshDb();
});

const HOUR = 3_600_000;
const now = Date.parse("2026-03-10T12:00:00Z");
const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR);

const job: BackupJobConfig = {
  id: "navi-db",
  service: "backend",
  environment: "production",
  source: { type: "sqlite", path: "/tmp/navi.db" },
  destination: { type: "local", path: "/tmp/backups" },
  schedule: "0 2 * * *",
  grace: HOUR,
  retention: { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
  hooks: {},
} as BackupJobConfig;

const config = (): OpsdeckConfig => ({ ...getConfig().config, backups: [job] });

function backup(kind: "scheduled" | "manual" | "safety", hoursAgo: number, runJobId?: number) {
  return db
    .insert(backups)
    .values({
      jobId: job.id,
      runJobId: runJobId ?? null,
      kind,
      status: "verified",
      verified: true,
      file: `/tmp/backups/${kind}-${hoursAgo}.db.gz`,
      sizeBytes: 1000,
      rawBytes: 4000,
      sha256: "a".repeat(64),
      startedAt: at(hoursAgo),
      finishedAt: new Date(at(hoursAgo).getTime() + 2000),
      durationMs: 2000,
      tables: { taps: 10 },
      requestedBy: kind === "scheduled" ? "scheduler" : "Ada Admin",
    })
    .returning()
    .get();
}

function restore(backupId: number, hoursAgo: number, status: JobStatus, error?: string) {
  return db
    .insert(jobs)
    .values({
      kind: "backup.restore",
      params: { backupId },
      status,
      error: error ?? null,
      requestedByName: "Ada Admin",
      createdAt: at(hoursAgo),
      startedAt: at(hoursAgo),
      finishedAt: status === "running" ? null : new Date(at(hoursAgo).getTime() + 5000),
    })
    .returning()
    .get();
}

/** A scheduled backup, then a restore of it (with its safety copy a moment later). */
function restoredOnce() {
  const nightly = backup("scheduled", 10);
  const job = restore(nightly.id, 1, "succeeded");
  const safety = backup("safety", 0.99, job.id);
  return { nightly, job, safety };
}

describe("the backups page's figures", () => {
  it("'last success' is the last scheduled or manual backup, never a restore's safety copy", () => {
    const { nightly } = restoredOnce();
    const [summary] = backupSummaries(db, config(), now);
    expect(summary!.lastSuccess?.id).toBe(nightly.id);
    expect(summary!.lastRun?.id).toBe(nightly.id);
    expect(summary!.successRate30d).toEqual({ ok: 1, total: 1 });
  });
});

describe("backup history", () => {
  it("shows a restore as an event of its own, with who asked and how it ended, beside its safety copy", () => {
    const { nightly, job, safety } = restoredOnce();
    const failed = restore(nightly.id, 0.5, "failed", "the restore failed its integrity check");
    const { entries } = backupHistory(db, {});
    expect(
      entries.map((e) =>
        e.type === "restore" ? `restore #${e.restore.jobId}` : `${e.backup.kind} #${e.backup.id}`,
      ),
    ).toEqual([
      `restore #${failed.id}`,
      `safety #${safety.id}`,
      `restore #${job.id}`,
      `scheduled #${nightly.id}`,
    ]);
    const done = entries.find((e) => e.type === "restore" && e.restore.jobId === job.id);
    expect(done).toMatchObject({
      type: "restore",
      restore: {
        backupJobId: "navi-db",
        backupId: nightly.id,
        status: "succeeded",
        requestedBy: "Ada Admin",
        safetyBackupId: safety.id,
        error: null,
      },
    });
    expect(
      entries.find((e) => e.type === "restore" && e.restore.jobId === failed.id),
    ).toMatchObject({
      restore: { status: "failed", error: "the restore failed its integrity check" },
    });
    expect(entries.find((e) => e.type === "backup" && e.backup.id === safety.id)).toMatchObject({
      backup: { kind: "safety", requestedBy: "Ada Admin", runJobId: job.id },
    });
  });

  it("filters restores by kind, status and backup job like backups", () => {
    const { nightly, job } = restoredOnce();
    const failed = restore(nightly.id, 0.5, "failed", "boom");
    const ids = (filter: Parameters<typeof backupHistory>[1]) =>
      backupHistory(db, filter).entries.map((e) =>
        e.type === "restore" ? `r${e.restore.jobId}` : `b${e.backup.id}`,
      );
    expect(ids({ kind: "restore" })).toEqual([`r${failed.id}`, `r${job.id}`]);
    expect(ids({ kind: "restore", status: "failed" })).toEqual([`r${failed.id}`]);
    expect(ids({ kind: "scheduled" })).toEqual([`b${nightly.id}`]);
    expect(ids({ job: "other-job" })).toEqual([]);
    expect(ids({ status: "verified", kind: "restore" })).toEqual([`r${job.id}`]);
  });

  it("pages restores with the backups around them: each appears on exactly one page", () => {
    const first = backup("scheduled", 30);
    const second = backup("scheduled", 20);
    const r1 = restore(first.id, 25, "succeeded");
    const third = backup("manual", 10);
    const r2 = restore(third.id, 5, "failed", "boom");
    const page1 = backupHistory(db, {}, 2);
    const key = (e: (typeof page1.entries)[number]) =>
      e.type === "restore" ? `r${e.restore.jobId}` : `b${e.backup.id}`;
    expect(page1.entries.map(key)).toEqual([`r${r2.id}`, `b${third.id}`, `b${second.id}`]);
    expect(page1.nextBefore).toBe(second.id);
    const page2 = backupHistory(db, { before: page1.nextBefore! }, 2);
    expect(page2.entries.map(key)).toEqual([`r${r1.id}`, `b${first.id}`]);
    expect(page2.nextBefore).toBeNull();
  });
});
