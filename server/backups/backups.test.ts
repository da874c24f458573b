import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backups, jobs } from "@/server/db/schema";
import { recoverInterruptedBackups } from "./recover";
import { drillBackup, restoreBackup } from "./restore";
import { backupsToDelete } from "./retention";
import { applyRetention, backupDirs, takeBackup } from "./run";

let db: Db;
let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  db = freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-backup-"));
});

afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  vi.useRealTimers();
});

/**
 * Backup file names carry the second a backup started, so a second backup of one job needs
 * a later second: the test moves the clock on (it keeps running in between) instead of waiting.
 */
function movableClock() {
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  return { nextSecond: () => vi.setSystemTime(Date.now() + 1000) };
}

const ctx = () => jobContext(db, "backup.run");

function sqliteJob(source: string, over: Partial<BackupJobConfig> = {}): BackupJobConfig {
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

function makeDb(file: string, rows = 1000) {
  const d = new Database(file);
  d.pragma("journal_mode = WAL");
  d.exec(
    "create table events (id integer primary key, at integer, payload text); create table counter (id integer primary key, n integer);",
  );
  const insert = d.prepare("insert into events (at, payload) values (?, ?)");
  d.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(i, "y".repeat(100));
  })();
  d.prepare("insert into counter values (1, ?)").run(rows);
  d.close();
}

const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const finalFiles = (job: BackupJobConfig) =>
  fs.readdirSync(backupDirs(job).root).filter((f) => f.endsWith(".gz"));

async function until(check: () => boolean, what: string, ms = 20_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs a TypeScript file in a child Node process (node itself, so SIGKILL kills the backup). */
function tsx(args: string[]) {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ...args], {
    env: { ...process.env, NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return { child, output: () => out };
}

describe("backups", () => {
  it("writes a verified, compressed, checksummed copy under its final name, and records it", async () => {
    const source = path.join(dir, "navi.db");
    makeDb(source, 5000);
    const job = sqliteJob(source);
    const done = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "ada" });
    expect(done).toMatchObject({
      status: "verified",
      verified: true,
      tables: { events: 5000, counter: 1 },
    });
    expect(path.basename(done.file!)).toMatch(/^navi-db_\d{8}T\d{6}Z-\d+\.db\.gz$/);
    expect(sha(done.file!)).toBe(done.sha256);
    expect(done.rawBytes! / done.sizeBytes!).toBeGreaterThan(5);
    expect(fs.readdirSync(backupDirs(job).tmp)).toEqual([]);
  });

  it("takes consistent snapshots while another process commits ~1,000 transactions a second", async () => {
    const source = path.join(dir, "busy.db");
    makeDb(source, 100);
    const writer = spawn(
      process.execPath,
      [path.join("server", "backups", "testing", "writer.mjs"), source, "1000"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(writer);
    let written = 0;
    writer.stdout!.on(
      "data",
      (d: Buffer) => (written = Number(String(d).trim().split("\n").at(-1)) || written),
    );
    await until(() => written >= 500, "the writer to get going");
    const job = sqliteJob(source);
    const clock = movableClock();
    for (let i = 0; i < 3; i++) {
      const done = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "test" });
      expect(done.status).toBe("verified");
      // Unpack and check the invariant the writer keeps in every transaction.
      const scratch = path.join(dir, `check-${i}.db`);
      fs.writeFileSync(
        scratch,
        (await import("node:zlib")).gunzipSync(fs.readFileSync(done.file!)),
      );
      const copy = new Database(scratch, { readonly: true });
      const { events } = copy.prepare("select count(*) as events from events").get() as {
        events: number;
      };
      const { n } = copy.prepare("select n from counter").get() as { n: number };
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(n).toBe(events);
      copy.close();
      clock.nextSecond();
    }
    writer.kill("SIGTERM");
  });

  it("a process killed half-way leaves no final file and no success; the next start cleans up and the next backup works", async () => {
    const source = path.join(dir, "big.db");
    makeDb(source, 400_000);
    const job = sqliteJob(source);
    const dataDir = path.dirname(db.$client.name);
    const run = tsx([
      "server/backups/testing/backup-child.ts",
      dataDir,
      source,
      job.destination!.path,
    ]);
    await until(
      () => fs.existsSync(backupDirs(job).tmp) && fs.readdirSync(backupDirs(job).tmp).length > 0,
      "the backup to start writing",
    );
    run.child.kill("SIGKILL");
    await new Promise((r) => run.child.once("exit", r));
    expect(finalFiles(job)).toEqual([]);
    expect(db.select().from(backups).all()).toMatchObject([{ status: "running" }]);
    db.update(jobs).set({ status: "failed", error: "interrupted" }).run();
    expect(await recoverInterruptedBackups(db, [job])).toBe(1);
    expect(db.select().from(backups).all()).toMatchObject([
      { status: "failed", error: expect.stringMatching(/^interrupted/) },
    ]);
    expect(fs.readdirSync(backupDirs(job).tmp)).toEqual([]);
    const next = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "test" });
    expect(next.status).toBe("verified");
    expect(finalFiles(job)).toHaveLength(1);
  }, 60_000);

  it("refuses a truncated or corrupted backup; the live database stays byte for byte the same", async () => {
    const source = path.join(dir, "live.db");
    makeDb(source, 3000);
    const job = sqliteJob(source);
    const good = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "test" });
    const liveBefore = sha(source);
    // Truncated.
    const bytes = fs.readFileSync(good.file!);
    fs.writeFileSync(good.file!, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(restoreBackup(ctx(), job, good, "ada")).rejects.toThrow(/damaged|checksum/);
    await expect(drillBackup(ctx(), job, good)).rejects.toThrow(/damaged|checksum/);
    expect(sha(source)).toBe(liveBefore);
    // Same length, one byte flipped in the middle.
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    fs.writeFileSync(good.file!, flipped);
    await expect(restoreBackup(ctx(), job, good, "ada")).rejects.toThrow(/damaged|checksum/);
    expect(sha(source)).toBe(liveBefore);
    expect(db.select().from(backups).where(eq(backups.id, good.id)).get()!.drillOk).toBe(false);
  });

  it("restores into the live database after a safety backup, and a drill confirms a good backup", async () => {
    const source = path.join(dir, "live.db");
    makeDb(source, 2000);
    const job = sqliteJob(source);
    const good = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "test" });
    const drill = await drillBackup(ctx(), job, good);
    expect(drill.ok).toBe(true);
    // Someone deletes data; a reader keeps its connection open across the restore.
    const reader = new Database(source);
    reader.prepare("delete from events where id > 10").run();
    expect((reader.prepare("select count(*) n from events").get() as { n: number }).n).toBe(10);
    const outcome = await restoreBackup(ctx(), job, good, "ada");
    expect((reader.prepare("select count(*) n from events").get() as { n: number }).n).toBe(2000);
    reader.close();
    expect(outcome.tables.events).toBe(2000);
    expect(fs.existsSync(outcome.safetyFile)).toBe(true);
    expect(path.dirname(outcome.safetyFile)).toBe(backupDirs(job).safety);
    const safety = db.select().from(backups).where(eq(backups.kind, "safety")).get()!;
    expect(safety.tables).toMatchObject({ events: 10 });
  });

  it("a failing pre-restore hook stops the restore before anything changes", async () => {
    const source = path.join(dir, "live.db");
    makeDb(source, 100);
    const job = sqliteJob(source, {
      hooks: { preRestore: ["sh", "-c", "echo maintenance mode unavailable >&2; exit 3"] },
    });
    const good = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "test" });
    const before = sha(source);
    await expect(restoreBackup(ctx(), job, good, "ada")).rejects.toThrow(
      /pre-restore hook failed \(exit 3\): maintenance mode unavailable/,
    );
    expect(sha(source)).toBe(before);
    expect(db.select().from(backups).where(eq(backups.kind, "safety")).all()).toHaveLength(0);
  });

  it("an unusable destination or a full disk fails the backup with the reason; older backups are untouched", async () => {
    const source = path.join(dir, "live.db");
    makeDb(source, 100);
    const job = sqliteJob(source);
    const older = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "test" });
    const olderSha = sha(older.file!);
    const blocked = path.join(dir, "a-file");
    fs.writeFileSync(blocked, "");
    await expect(
      takeBackup(
        ctx(),
        sqliteJob(source, { destination: { type: "local", path: path.join(blocked, "x") } }),
        { kind: "manual", requestedBy: "t" },
      ),
    ).rejects.toThrow(/cannot use the destination .*ENOTDIR/);
    // A file-size limit makes writing fail part-way, as a full disk does (EFBIG instead of
    // ENOSPC). The child keeps its own Opsdeck database, away from the limit's reach.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-backup-child-"));
    const bigSource = path.join(dir, "big.db");
    makeDb(bigSource, 20_000);
    const full = spawn(
      "bash",
      [
        "-c",
        `ulimit -f 2048; exec "${process.execPath}" --conditions=react-server --import tsx server/backups/testing/backup-child.ts "$@"`,
        "bash",
        dataDir,
        bigSource,
        job.destination!.path,
      ],
      {
        env: { ...process.env, NODE_ENV: "test" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(full);
    let out = "";
    full.stdout!.on("data", (d) => (out += d));
    full.stderr!.on("data", (d) => (out += d));
    const code = await new Promise((r) => full.once("exit", r));
    expect(code).toBe(1);
    expect(out).toMatch(
      /BACKUP FAILED (cannot write the copy into .*: disk I\/O error \(is the destination's disk full\?\)|.*EFBIG)/,
    );
    expect(finalFiles(job)).toHaveLength(1);
    expect(sha(older.file!)).toBe(olderSha);
    const failed = db.select().from(backups).where(eq(backups.status, "failed")).all();
    expect(failed.map((f) => f.error)).toEqual([expect.stringMatching(/ENOTDIR/)]);
  });

  it("a command source keeps its exit code and stderr, and refuses empty output", async () => {
    const job = sqliteJob("", {
      source: {
        type: "command",
        command: ["sh", "-c", "echo 'create table t(x);' ; echo warning >&2"],
        timeout: 10_000,
        extension: ".sql",
      },
    });
    const done = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "t" });
    expect(path.basename(done.file!)).toMatch(/\.sql\.gz$/);
    expect(done.rawBytes).toBe("create table t(x);\n".length);
    const failing = sqliteJob("", {
      source: {
        type: "command",
        command: ["sh", "-c", "echo partial; echo 'pg_dump: connection refused' >&2; exit 1"],
        timeout: 10_000,
        extension: ".sql",
      },
    });
    await expect(takeBackup(ctx(), failing, { kind: "manual", requestedBy: "t" })).rejects.toThrow(
      "the command exited with 1: pg_dump: connection refused",
    );
    const empty = sqliteJob("", {
      source: { type: "command", command: ["true"], timeout: 10_000, extension: ".sql" },
    });
    await expect(takeBackup(ctx(), empty, { kind: "manual", requestedBy: "t" })).rejects.toThrow(
      "the command wrote nothing to stdout",
    );
    const slow = sqliteJob("", {
      source: { type: "command", command: ["sleep", "30"], timeout: 1_000, extension: ".sql" },
    });
    await expect(takeBackup(ctx(), slow, { kind: "manual", requestedBy: "t" })).rejects.toThrow(
      "did not finish within 1 s",
    );
    expect(finalFiles(job)).toHaveLength(1);
  });
});

describe("retention", () => {
  const day = 86_400_000;
  const now = Date.parse("2026-11-27T12:00:00Z");
  const b = (id: number, daysAgo: number, status = "verified") => ({
    id,
    startedAt: new Date(now - daysAgo * day),
    status,
  });

  it("deletes what is older than the retention, never the newest verified backup", () => {
    const all = [b(1, 40), b(2, 35), b(3, 5), b(4, 31, "failed")];
    expect(
      backupsToDelete(all, { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 }, now).sort(),
    ).toEqual([1, 2, 4]);
    expect(
      backupsToDelete(
        [b(1, 400), b(2, 300, "failed")],
        { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
        now,
      ),
    ).toEqual([2]);
  });

  it("keeps grandfather-father-son generations", () => {
    const all = Array.from({ length: 120 }, (_, i) => b(i + 1, i));
    const kept = new Set(all.map((x) => x.id));
    for (const id of backupsToDelete(
      all,
      { days: 7, keepDaily: 0, keepWeekly: 4, keepMonthly: 3 },
      now,
    ))
      kept.delete(id);
    // 7 days, plus the newest of 4 weeks and 3 months beyond them.
    expect(kept.size).toBeGreaterThanOrEqual(9);
    expect(kept.size).toBeLessThanOrEqual(14);
    expect(kept.has(1)).toBe(true);
  });

  it("applies to files and records, and says why", async () => {
    const source = path.join(dir, "live.db");
    makeDb(source, 10);
    const job = sqliteJob(source, {
      retention: { days: 1, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
    });
    const clock = movableClock();
    const first = await takeBackup(ctx(), job, { kind: "manual", requestedBy: "t" });
    clock.nextSecond();
    await takeBackup(ctx(), job, { kind: "manual", requestedBy: "t" });
    expect(await applyRetention(ctx(), job, Date.now() + 3 * day)).toBe(1);
    expect(fs.existsSync(first.file!)).toBe(false);
    expect(db.select().from(backups).where(eq(backups.id, first.id)).get()).toMatchObject({
      status: "deleted",
      deletedReason: "retention: older than 1 days",
    });
  });
});
