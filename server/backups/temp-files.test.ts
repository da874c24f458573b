import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { jobs } from "@/server/db/schema";
import { JobRunner } from "@/server/jobs/runner";
import { recoverInterruptedBackups } from "./recover";
import { backupDirs, takeBackup } from "./run";

let db: Db;
let dir: string;
beforeEach(() => {
  db = freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-tmpfiles-"));
});

function job(): BackupJobConfig {
  const source = path.join(dir, "app.db");
  const live = new Database(source);
  live.exec("create table if not exists t (id integer primary key)");
  live.close();
  return {
    id: "app-db",
    service: "backend",
    environment: "production",
    source: { type: "sqlite", path: source },
    destination: { type: "local", path: path.join(dir, "backups") },
    schedule: "0 2 * * *",
    grace: 3_600_000,
    retention: { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
    hooks: {},
  } as BackupJobConfig;
}

describe("start-up clean-up of backup work files", () => {
  it("removes what jobs that are not running left behind, never a live runner's work in progress", async () => {
    const config = job();
    const tmp = backupDirs(config).tmp;
    fs.mkdirSync(tmp, { recursive: true });
    // Another Opsdeck process (still alive, heartbeat fresh) is half-way through a backup…
    const live = db
      .insert(jobs)
      .values({
        kind: "backup.run",
        params: {},
        requestedByName: "schedule:backup:app-db",
        status: "running",
        runner: "other-host:4242:b",
        heartbeatAt: new Date(),
      })
      .returning()
      .get();
    // …and an earlier process died during another one.
    const dead = db
      .insert(jobs)
      .values({
        kind: "backup.run",
        params: {},
        requestedByName: "ada",
        status: "running",
        runner: `${os.hostname()}:4194305:old`,
        heartbeatAt: new Date(),
      })
      .returning()
      .get();
    // Its files (and the dead one's), named the way takeBackup names them.
    const livePart = path.join(tmp, `job-${live.id}.app-db_20261127T020000Z-7.db.gz.part`);
    const liveRaw = path.join(tmp, `job-${live.id}.app-db_20261127T020000Z-7.db.gz.raw`);
    const deadPart = path.join(tmp, `job-${dead.id}.app-db_20261127T010000Z-6.db.gz.part`);
    for (const f of [livePart, liveRaw, deadPart]) fs.writeFileSync(f, "partial");

    // This process starts: orphaned jobs first, then their files.
    const runner = new JobRunner(db, {
      concurrency: 1,
      runnerId: `${os.hostname()}:${process.pid}:a`,
    });
    expect(runner.recoverOrphans()).toBe(1);
    await recoverInterruptedBackups(db, [config]);

    expect(fs.existsSync(livePart)).toBe(true);
    expect(fs.existsSync(liveRaw)).toBe(true);
    expect(fs.existsSync(deadPart)).toBe(false);
  });

  it("names every work file after its job", async () => {
    const config = job();
    const gate = path.join(dir, "gate");
    const command: BackupJobConfig = {
      ...config,
      source: {
        type: "command",
        command: ["sh", "-c", `echo dump; while [ ! -f '${gate}' ]; do sleep 0.02; done`],
        timeout: 60_000,
        extension: ".sql",
      },
    };
    const row = db
      .insert(jobs)
      .values({ kind: "backup.run", params: {}, requestedByName: "t", status: "running" })
      .returning()
      .get();
    const ctx = {
      jobId: row.id,
      params: {},
      db,
      signal: new AbortController().signal,
      log: () => undefined,
      progress: () => undefined,
    };
    const done = takeBackup(ctx, command, { kind: "manual", requestedBy: "t" });
    const tmp = backupDirs(command).tmp;
    const started = Date.now();
    while (!(fs.existsSync(tmp) && fs.readdirSync(tmp).length > 0)) {
      if (Date.now() - started > 10_000) throw new Error("no work file appeared");
      await new Promise((r) => setTimeout(r, 10));
    }
    const names = fs.readdirSync(tmp);
    fs.writeFileSync(gate, "");
    await done;
    for (const name of names) expect(name).toMatch(new RegExp(`^job-${row.id}\\.`));
  });
});
