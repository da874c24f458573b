import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backupDirs, takeBackup } from "./run";

let db: Db;
let dir: string;

beforeEach(() => {
  db = freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-names-"));
});
afterEach(() => {
  vi.useRealTimers();
});

const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("backup file names", () => {
  it("two backups of one job in the same second get two files, each with its own content", async () => {
    const source = path.join(dir, "app.db");
    const live = new Database(source);
    live.exec("create table t (id integer primary key, v text)");
    live.prepare("insert into t (v) values ('first')").run();
    const job = {
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
    // Both start at the same instant (the clock is held still; timers run as usual).
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-11-27T02:00:00.500Z") });
    const first = await takeBackup(jobContext(db, "backup.run"), job, {
      kind: "manual",
      requestedBy: "ada",
    });
    live.prepare("insert into t (v) values ('second')").run();
    const second = await takeBackup(jobContext(db, "backup.run"), job, {
      kind: "manual",
      requestedBy: "bob",
    });
    live.close();
    expect(second.file).not.toBe(first.file);
    expect(fs.existsSync(first.file!)).toBe(true);
    expect(fs.existsSync(second.file!)).toBe(true);
    expect(sha(first.file!)).toBe(first.sha256);
    expect(sha(second.file!)).toBe(second.sha256);
    expect(first.tables).toEqual({ t: 1 });
    expect(second.tables).toEqual({ t: 2 });
    expect(fs.readdirSync(backupDirs(job).root).filter((f) => f.endsWith(".gz"))).toHaveLength(2);
  });
});
