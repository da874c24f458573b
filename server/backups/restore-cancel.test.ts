import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backups } from "@/server/db/schema";
import { JobCanceled } from "@/server/jobs/abort";
import { drillBackup, restoreBackup } from "./restore";
import { takeBackup } from "./run";

let db: Db;
let dir: string;
beforeEach(() => {
  db = freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-restore-cancel-"));
});

function liveDb(rows: number) {
  const file = path.join(dir, "live.db");
  const d = new Database(file);
  d.pragma("journal_mode = WAL");
  d.exec("create table events (id integer primary key, payload text)");
  const insert = d.prepare("insert into events (payload) values (?)");
  d.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`row ${i}`);
  })();
  d.close();
  return file;
}

function job(source: string, over: Partial<BackupJobConfig> = {}): BackupJobConfig {
  return {
    id: "navi-db",
    service: "backend",
    environment: "production",
    source: { type: "sqlite", path: source },
    destination: { type: "local", path: path.join(dir, "backups") },
    schedule: "0 2 * * *",
    grace: 3_600_000,
    retention: { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
    hooks: {},
    ...over,
  } as BackupJobConfig;
}

const contents = (file: string) => {
  const d = new Database(file, { readonly: true });
  const rows = d.prepare("select id, payload from events order by id").all();
  d.close();
  return rows;
};

/** A job context whose cancel button is pressed when the job reports `when` as its progress label. */
function cancelWhen(when: string) {
  const ctx = jobContext(db, "backup.restore");
  const abort = new AbortController();
  return {
    ...ctx,
    signal: abort.signal,
    progress: (_p: number, label?: string) => {
      if (label === when) abort.abort(new JobCanceled("ada@example.com"));
    },
  };
}

describe("canceling a restore", () => {
  it("canceled while the backup is copied into the live database: the database is put back as it was", async () => {
    const source = liveDb(500);
    const config = job(source);
    const backup = await takeBackup(jobContext(db, "backup.run"), config, {
      kind: "manual",
      requestedBy: "test",
    });
    // Data written after the backup: what a restore would lose, and a cancel must keep.
    const w = new Database(source);
    w.prepare("delete from events where id > 100").run();
    w.prepare("insert into events (payload) values ('written after the backup')").run();
    w.close();
    const before = contents(source);

    const ctx = cancelWhen("restoring");
    await expect(restoreBackup(ctx, config, backup, "ada")).rejects.toBeInstanceOf(JobCanceled);
    expect(contents(source)).toEqual(before);
    expect(ctx.lines.join("\n")).toMatch(/put back/);
  });

  it("canceled before the live database is touched: nothing changes and no safety copy is taken", async () => {
    const source = liveDb(200);
    const config = job(source);
    const backup = await takeBackup(jobContext(db, "backup.run"), config, {
      kind: "manual",
      requestedBy: "test",
    });
    const w = new Database(source);
    w.prepare("delete from events where id > 10").run();
    w.close();
    const before = contents(source);
    await expect(
      restoreBackup(cancelWhen("checking the backup"), config, backup, "ada"),
    ).rejects.toBeInstanceOf(JobCanceled);
    expect(contents(source)).toEqual(before);
    expect(db.select().from(backups).where(eq(backups.kind, "safety")).all()).toEqual([]);
  });

  it("a canceled drill is not recorded as a failed drill", async () => {
    const source = liveDb(200);
    const config = job(source);
    const backup = await takeBackup(jobContext(db, "backup.run"), config, {
      kind: "manual",
      requestedBy: "test",
    });
    const ctx = jobContext(db, "backup.drill");
    const abort = new AbortController();
    abort.abort(new JobCanceled("ada@example.com"));
    await expect(drillBackup({ ...ctx, signal: abort.signal }, config, backup)).rejects.toThrow();
    expect(db.select().from(backups).where(eq(backups.id, backup.id)).get()).toMatchObject({
      drillAt: null,
      drillOk: null,
    });
  });
});

describe("canceling a backup", () => {
  it("canceled before its command starts: the command never runs", async () => {
    const marker = path.join(dir, "ran");
    const config = job(path.join(dir, "unused.db"), {
      source: {
        type: "command",
        command: ["sh", "-c", `touch '${marker}'; echo dump`],
        timeout: 60_000,
        extension: ".sql",
      },
    } as Partial<BackupJobConfig>);
    const abort = new AbortController();
    abort.abort(new JobCanceled("ada@example.com"));
    const ctx = { ...jobContext(db, "backup.run"), signal: abort.signal };
    await expect(takeBackup(ctx, config, { kind: "manual", requestedBy: "ada" })).rejects.toThrow();
    expect(fs.existsSync(marker)).toBe(false);
    expect(db.select().from(backups).get()).toMatchObject({
      status: "failed",
      error: "canceled by ada@example.com",
    });
  });
});
