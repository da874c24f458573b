// npm run bench:backups [-- --size-gb 1 --writer-tps 1000 --keep --breakdown]
// Opsdeck's backup (takeBackup: SQLite online backup in a worker, gzip -6 streamed with
// SHA-256 and a round-trip check, integrity check in parallel, fsync, rename) against
// the usual shell method ("shell" below: `sqlite3 <db> ".backup <file>"`, then
// `gzip <file>`), on one generated database of about --size-gb GiB in WAL mode:
//   1. both without a writer (clean wall times), then both while a separate process
//      commits --writer-tps small transactions a second into the same database
//      (server/backups/testing/writer.mjs, which reports each transaction's latency); the runs go
//      shell, Opsdeck, Opsdeck, shell after a warm-up read, so neither always runs first;
//      with the writer, sqlite3 is killed after max(120 s, 5 × Opsdeck's time), because a
//      stepwise backup restarts at every write and may never finish;
//   2. restoring Opsdeck's backup into a copy of the database with restoreBackup
//      (checksum, decompression, integrity check, safety backup of the live file,
//      backup-API copy into it, integrity check), then the restore copy step alone.
// --breakdown (automatic when a target is missed) times the pieces of Opsdeck's backup
// one by one. --keep keeps the generated database in /tmp/opsdeck-bench-<size>gb.db and
// reuses it next time (after deleting the rows earlier writers added). Children are
// killed and temp files removed on any exit. Prints figures; asserts nothing.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import Database from "better-sqlite3";
import { compressVerified, decompressChecked } from "../server/backups/files";
import { restoreBackup } from "../server/backups/restore";
import { takeBackup } from "../server/backups/run";
import { sqliteBackup, sqliteCheck, sqliteRestore } from "../server/backups/sqlite-worker";
import type { BackupJobConfig } from "../server/config/schema";
import { openDatabase, type Db } from "../server/db";
import { jobs, type Backup } from "../server/db/schema";
import type { JobContext } from "../server/jobs/registry";
import { generateDatabase, reuseDatabase, type DataReport } from "./backup-data";
import { parseFlags } from "./generate-history";
import { ROOT } from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const SIZE_GB = Number(flags["size-gb"] ?? 1);
const WRITER_TPS = Number(flags["writer-tps"] ?? 1000);
const KEEP = flags.keep === "true";
const BREAKDOWN = flags.breakdown === "true";
const TARGET_BYTES = Math.round(SIZE_GB * 2 ** 30);
const KEPT_DB = `/tmp/opsdeck-bench-${SIZE_GB}gb.db`;
const TARGETS = { ratioMax: 1.0, writerP99MsMax: 50 };
const WRITER = path.join(ROOT, "server", "backups", "testing", "writer.mjs");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => +(ms / 1000).toFixed(1);
const mib = (bytes: number) => +(bytes / 2 ** 20).toFixed(1);
const ms1 = (ms: number) => +ms.toFixed(1);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

// ---------------------------------------------------------------- child processes

const children = new Set<ChildProcess>();
let tmp = "";
let source = "";

function cleanup() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (source && !KEEP) {
    for (const f of [source, `${source}-wal`, `${source}-shm`]) fs.rmSync(f, { force: true });
  }
}
process.on("exit", cleanup);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping children and removing temp files`);
    process.exit(130);
  });
}

type Exit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  timedOut: boolean;
  stderr: string;
};

/** Runs a command to completion (or kills it after `timeoutMs`), timing it. */
function run(cmd: string, args: string[], timeoutMs: number, stdout?: string): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const out = stdout ? fs.openSync(stdout, "wx", 0o600) : "ignore";
    const child = spawn(cmd, args, { stdio: ["ignore", out, "pipe"] });
    if (typeof out === "number") fs.closeSync(out);
    children.add(child);
    let stderr = "";
    let timedOut = false;
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, ms: performance.now() - started, timedOut, stderr: stderr.trim() });
    });
  });
}

// ---------------------------------------------------------------- the writer

type WriterStats = {
  transactions: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  over50Ms: number;
};

/** The writer (server/backups/testing/writer.mjs) against `db`; `measure` marks the start of the window measured. */
async function startWriter(db: string, tps: number) {
  const child = spawn(process.execPath, [WRITER, db, String(tps)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let committed = 0;
  let done = "";
  let stderr = "";
  let buffer = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffer += String(d);
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith("DONE ")) done = line;
      else if (/^\d+$/.test(line)) committed = Number(line);
    }
  });
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  const started = performance.now();
  while (committed < 1000) {
    if (child.exitCode !== null) throw new Error(`the writer exited: ${stderr.slice(-500)}`);
    if (performance.now() - started > 60_000)
      throw new Error(`the writer did not get going within 60 s: ${stderr.slice(-500)}`);
    await sleep(20);
  }
  return {
    /** Forgets the latencies so far: the window starts now. */
    measure() {
      child.kill("SIGUSR2");
    },
    async stop(): Promise<WriterStats> {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(killer);
      children.delete(child);
      if (!done) throw new Error(`the writer did not report: ${stderr.slice(-500)}`);
      const [count, p50, p99, max, secs, over50] = done.split(" ").slice(1).map(Number) as number[];
      return {
        transactions: count!,
        perSecond: Math.round(count! / secs!),
        p50Ms: +p50!.toFixed(2),
        p99Ms: +p99!.toFixed(2),
        maxMs: ms1(max!),
        over50Ms: over50!,
      };
    },
  };
}

/** Runs `method` while the writer commits into `db`, measuring the writer over exactly that time. */
async function withWriter<T>(db: string, method: () => Promise<T>) {
  const writer = await startWriter(db, WRITER_TPS);
  let result: T;
  try {
    writer.measure();
    await sleep(50);
    result = await method();
  } catch (err) {
    await writer.stop().catch(() => undefined);
    throw err;
  }
  return { result, writer: await writer.stop() };
}

// ---------------------------------------------------------------- Opsdeck

let opsdeckDb: Db;

function jobContext(): JobContext<unknown> & { marks: Map<string, number> } {
  const row = opsdeckDb
    .insert(jobs)
    .values({ kind: "backup.run", params: {}, requestedByName: "bench", status: "running" })
    .returning()
    .get();
  // The first time each log line (by its first word) or progress label is seen.
  const marks = new Map<string, number>();
  const mark = (key: string) => {
    if (!marks.has(key)) marks.set(key, performance.now());
  };
  return {
    jobId: row.id,
    params: {},
    db: opsdeckDb,
    signal: new AbortController().signal,
    log: (_level, message) => mark(`log:${message.split(" ")[0]}`),
    progress: (_percent, label) => mark(`progress:${(label ?? "").split(":")[0]}`),
    marks,
  };
}

function backupJob(sourcePath: string, destination: string): BackupJobConfig {
  return {
    id: "bench-db",
    service: "bench",
    environment: "production",
    source: { type: "sqlite", path: sourcePath },
    destination: { type: "local", path: destination },
    schedule: "0 2 * * *",
    grace: 3_600_000,
    retention: { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
    hooks: {},
  } as BackupJobConfig;
}

type OpsdeckRun = {
  wallMs: number;
  /** CPU time of this whole process (main thread, zlib threads, workers) during the backup. */
  cpuMs: number;
  copyMs: number;
  compressCheckMs: number;
  sizeBytes: number;
  rawBytes: number;
  record: Backup;
};

async function opsdeckBackup(job: BackupJobConfig): Promise<OpsdeckRun> {
  const ctx = jobContext();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const record = await takeBackup(ctx, job, { kind: "manual", requestedBy: "bench" });
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const copied = ctx.marks.get("log:Copied") ?? started;
  return {
    wallMs,
    copyMs: copied - started,
    compressCheckMs: started + wallMs - copied,
    cpuMs: (user + system) / 1000,
    sizeBytes: record.sizeBytes!,
    rawBytes: record.rawBytes!,
    record,
  };
}

// ---------------------------------------------------------------- the shell method

type ShellRun = {
  finished: boolean;
  wallMs: number;
  backupMs: number;
  gzipMs: number | null;
  sizeBytes: number | null;
  timeoutS: number;
};

async function shellBackup(db: string, timeoutMs: number): Promise<ShellRun> {
  const file = path.join(tmp, `shell-${Date.now()}.db`);
  try {
    const backup = await run("sqlite3", [db, `.backup '${file}'`], timeoutMs);
    if (backup.timedOut)
      return {
        finished: false,
        wallMs: backup.ms,
        backupMs: backup.ms,
        gzipMs: null,
        sizeBytes: null,
        timeoutS: timeoutMs / 1000,
      };
    if (backup.code !== 0)
      throw new Error(`sqlite3 .backup failed (${backup.code}): ${backup.stderr}`);
    const gzip = await run("gzip", [file], 30 * 60_000);
    if (gzip.code !== 0) throw new Error(`gzip failed (${gzip.code}): ${gzip.stderr}`);
    return {
      finished: true,
      wallMs: backup.ms + gzip.ms,
      backupMs: backup.ms,
      gzipMs: gzip.ms,
      sizeBytes: fs.statSync(`${file}.gz`).size,
      timeoutS: timeoutMs / 1000,
    };
  } finally {
    for (const f of [file, `${file}.gz`, `${file}-journal`]) await fsp.rm(f, { force: true });
  }
}

// ---------------------------------------------------------------- helpers

/** Writes dirty pages out and lets the disk settle, so one run's writeback does not land in the next. */
async function settle() {
  await run("sync", [], 120_000);
  await sleep(2000);
}

async function readAll(file: string): Promise<number> {
  const started = performance.now();
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), devNull());
  return performance.now() - started;
}

function devNull() {
  return new Writable({ write: (_c, _e, done) => done() });
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const padStart = (s: string | number, n: number) => String(s).padStart(n);

// ---------------------------------------------------------------- breakdown

/** Opsdeck's backup piece by piece, each alone, on the database at rest. */
async function breakdown(db: string) {
  const dir = path.join(tmp, "breakdown");
  await fsp.mkdir(dir, { recursive: true });
  const raw = path.join(dir, "copy.db");
  const part = path.join(dir, "verified.gz");
  const plain = path.join(dir, "plain.gz");
  const cli = path.join(dir, "cli.gz");
  const out: Record<string, number> = {};
  await settle();
  log("breakdown: SQLite online backup (worker, one step)…");
  [out.copyMs] = await timed(() => sqliteBackup(db, raw));
  await settle();
  log("breakdown: PRAGMA integrity_check + counts alone…");
  [out.integrityCheckMs] = await timed(() => sqliteCheck(raw));
  await settle();
  log("breakdown: compressVerified alone (gzip -6 + SHA-256 ×3 + round-trip gunzip + fsync)…");
  [out.compressVerifiedMs] = await timed(() => compressVerified(fs.createReadStream(raw), part));
  await settle();
  log("breakdown: the same compression and check in parallel, as takeBackup runs them…");
  await fsp.rm(part, { force: true });
  [out.compressAndCheckParallelMs] = await timed(() =>
    Promise.all([sqliteCheck(raw), compressVerified(fs.createReadStream(raw), part)]),
  );
  await fsp.rm(part, { force: true });
  await settle();
  log("breakdown: Node gzip -6 alone (no hashes, no round trip), then fsync…");
  [out.nodeGzipOnlyMs] = await timed(() =>
    pipeline(fs.createReadStream(raw), zlib.createGzip({ level: 6 }), fs.createWriteStream(plain)),
  );
  [out.fsyncMs] = await timed(async () => {
    const handle = await fsp.open(plain, "r+");
    await handle.sync();
    await handle.close();
  });
  log("breakdown: Node gunzip alone (the round trip)…");
  [out.nodeGunzipMs] = await timed(() =>
    pipeline(fs.createReadStream(plain), zlib.createGunzip(), devNull()),
  );
  log("breakdown: SHA-256 of the raw copy alone…");
  [out.sha256RawMs] = await timed(async () => {
    const hash = createHash("sha256");
    await pipeline(
      fs.createReadStream(raw),
      new Writable({
        write(chunk: Buffer, _e, done) {
          hash.update(chunk);
          done();
        },
      }),
    );
  });
  log("breakdown: reading the raw copy alone…");
  out.readRawMs = await readAll(raw);
  await settle();
  log("breakdown: gzip CLI -6 of the same copy…");
  const gz = await run("gzip", ["-6", "-c", raw], 30 * 60_000, cli);
  out.gzipCliMs = gz.ms;
  const result = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, ms1(v)]));
  await fsp.rm(dir, { recursive: true, force: true });
  return result;
}

// ---------------------------------------------------------------- main

async function main() {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-backups-"));
  opsdeckDb = openDatabase(path.join(tmp, "opsdeck-data"));
  const destination = path.join(tmp, "backups");
  const cpus = os.cpus();
  const sqliteCli = (
    await new Promise<string>((resolve) => {
      const child = spawn("sqlite3", ["--version"]);
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.once("close", () => resolve(out.split(" ")[0] ?? "?"));
      child.once("error", () => resolve("missing"));
    })
  ).trim();
  const libVersion = (() => {
    const d = new Database(":memory:");
    const v = d.prepare("select sqlite_version()").pluck().get() as string;
    d.close();
    return v;
  })();
  log(
    `${cpus.length} × ${cpus[0]?.model ?? "?"}, Node ${process.versions.node}, SQLite ${libVersion} (better-sqlite3), sqlite3 CLI ${sqliteCli}`,
  );

  // 1. The database.
  source = KEEP ? KEPT_DB : path.join(tmp, "source.db");
  let data: DataReport | undefined = KEEP ? reuseDatabase(source, TARGET_BYTES) : undefined;
  if (data) {
    log(`Reusing ${source}: ${mib(data.bytes)} MiB (${data.seconds.toFixed(1)} s to reset).`);
  } else {
    for (const f of [source, `${source}-wal`, `${source}-shm`]) fs.rmSync(f, { force: true });
    log(`Generating ${SIZE_GB} GiB into ${source}…`);
    let next = 256 * 2 ** 20;
    data = generateDatabase(source, TARGET_BYTES, (bytes) => {
      if (bytes >= next) {
        log(`  ${mib(bytes)} MiB`);
        next += 256 * 2 ** 20;
      }
    });
    log(
      `Generated ${mib(data.bytes)} MiB in ${data.seconds.toFixed(1)} s: ${data.users.toLocaleString("en")} users, ${data.devices.toLocaleString("en")} devices, ${data.events.toLocaleString("en")} events.`,
    );
  }
  const job = backupJob(source, destination);

  // 2. Warm-up: the whole file into the page cache, for every run alike.
  await settle();
  const warmMs = await readAll(source);
  log(`Warm-up read of the database: ${seconds(warmMs)} s.`);

  // 3. Without a writer: the shell method, then Opsdeck.
  await settle();
  log("Shell without writer: sqlite3 .backup, then gzip…");
  const shellClean = await shellBackup(source, 30 * 60_000);
  log(
    `  ${seconds(shellClean.wallMs)} s (.backup ${seconds(shellClean.backupMs)} s, gzip ${seconds(shellClean.gzipMs ?? 0)} s)`,
  );
  await settle();
  log("Opsdeck without writer: takeBackup…");
  const opsClean = await opsdeckBackup(job);
  log(
    `  ${seconds(opsClean.wallMs)} s (copy ${seconds(opsClean.copyMs)} s, compress + check ${seconds(opsClean.compressCheckMs)} s; ${seconds(opsClean.cpuMs)} s CPU)`,
  );

  // 4. With the writer: its baseline alone, then Opsdeck, then the shell method.
  await settle();
  log(`Writer alone for 10 s at ${WRITER_TPS} transactions/s (baseline)…`);
  const baseline = (await withWriter(source, () => sleep(10_000))).writer;
  log(
    `  p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms, max ${baseline.maxMs} ms, ${baseline.perSecond}/s`,
  );
  await settle();
  log("Opsdeck with writer: takeBackup…");
  const opsBusy = await withWriter(source, () => opsdeckBackup(job));
  log(
    `  ${seconds(opsBusy.result.wallMs)} s (copy ${seconds(opsBusy.result.copyMs)} s, compress + check ${seconds(opsBusy.result.compressCheckMs)} s; ${seconds(opsBusy.result.cpuMs)} s CPU); writer p99 ${opsBusy.writer.p99Ms} ms, max ${opsBusy.writer.maxMs} ms`,
  );
  await settle();
  const shellTimeoutMs = Math.max(120_000, Math.ceil((5 * opsBusy.result.wallMs) / 1000) * 1000);
  log(`Shell with writer: sqlite3 .backup (killed after ${shellTimeoutMs / 1000} s), then gzip…`);
  const shellBusy = await withWriter(source, () => shellBackup(source, shellTimeoutMs));
  log(
    shellBusy.result.finished
      ? `  ${seconds(shellBusy.result.wallMs)} s (.backup ${seconds(shellBusy.result.backupMs)} s, gzip ${seconds(shellBusy.result.gzipMs ?? 0)} s); writer p99 ${shellBusy.writer.p99Ms} ms, max ${shellBusy.writer.maxMs} ms`
      : `  did not finish in ${shellTimeoutMs / 1000} s (sqlite3 killed); writer p99 ${shellBusy.writer.p99Ms} ms, max ${shellBusy.writer.maxMs} ms`,
  );

  // 5. Restore Opsdeck's (clean) backup into a copy of the database.
  await settle();
  const live = path.join(tmp, "restore-live.db");
  {
    const d = new Database(source);
    d.pragma("wal_checkpoint(TRUNCATE)");
    d.close();
  }
  await fsp.copyFile(source, live);
  await settle();
  log("Restore: restoreBackup of the clean backup into a copy of the database…");
  const restoreJob = backupJob(live, destination);
  const rctx = jobContext();
  const [restoreMs] = await timed(() => restoreBackup(rctx, restoreJob, opsClean.record, "bench"));
  const m = rctx.marks;
  const tCheck = m.get("progress:checking the backup")!;
  const tSafety = m.get("progress:taking a safety backup of the live database")!;
  const tRestoring = m.get("progress:restoring")!;
  const tDone = m.get("progress:restored")!;
  const restorePhases = {
    unpackAndCheckMs: ms1(tSafety - tCheck),
    safetyBackupMs: ms1(tRestoring - tSafety),
    copyIntoLiveAndCheckMs: ms1(tDone - tRestoring),
  };
  log(
    `  ${seconds(restoreMs)} s (unpack + check ${seconds(restorePhases.unpackAndCheckMs)} s, safety backup ${seconds(restorePhases.safetyBackupMs)} s, copy into the live file + check ${seconds(restorePhases.copyIntoLiveAndCheckMs)} s)`,
  );
  // The restore step alone: the same functions restoreBackup calls, one at a time.
  await settle();
  const incoming = path.join(tmp, "restore-incoming.db");
  const [decompressMs] = await timed(() =>
    decompressChecked(opsClean.record.file!, incoming, opsClean.record.sha256),
  );
  const [checkIncomingMs] = await timed(() => sqliteCheck(incoming));
  await settle();
  const [restoreCopyMs] = await timed(() => sqliteRestore(incoming, live));
  const [checkLiveMs] = await timed(() => sqliteCheck(live));
  await fsp.rm(incoming, { force: true });
  const restoreSteps = {
    decompressMs: ms1(decompressMs),
    checkIncomingMs: ms1(checkIncomingMs),
    copyIntoLiveMs: ms1(restoreCopyMs),
    checkLiveMs: ms1(checkLiveMs),
  };
  log(
    `  alone: decompress ${seconds(decompressMs)} s, check ${seconds(checkIncomingMs)} s, backup-API copy into the live file ${seconds(restoreCopyMs)} s, check ${seconds(checkLiveMs)} s`,
  );

  // 6. Figures.
  const ratioClean = opsClean.wallMs / shellClean.wallMs;
  const ratioBusy = shellBusy.result.finished
    ? opsBusy.result.wallMs / shellBusy.result.wallMs
    : null;
  const ratioBusyAtMost = shellBusy.result.finished
    ? null
    : opsBusy.result.wallMs / shellBusy.result.wallMs;
  const met = {
    ratioWithoutWriter: ratioClean <= TARGETS.ratioMax,
    ratioWithWriter: (ratioBusy ?? ratioBusyAtMost!) <= TARGETS.ratioMax,
    writerP99DuringOpsdeck: opsBusy.writer.p99Ms < TARGETS.writerP99MsMax,
  };
  let pieces: Record<string, number> | undefined;
  if (BREAKDOWN || !Object.values(met).every(Boolean)) {
    log("A target was missed (or --breakdown): timing Opsdeck's backup piece by piece…");
    pieces = await breakdown(source);
  }

  const row = (
    name: string,
    wall: string,
    steps: string,
    size: string,
    writer: WriterStats | null,
  ) =>
    `| ${pad(name, 26)} | ${padStart(wall, 22)} | ${pad(steps, 34)} | ${padStart(size, 9)} | ${pad(writer ? `${writer.p50Ms} / ${writer.p99Ms} / ${writer.maxMs} ms (${writer.perSecond}/s)` : "–", 34)} |`;
  const sizeOf = (b: number | null) => (b === null ? "–" : `${mib(b)} MiB`);
  console.log("");
  console.log(
    `Database: ${mib(data.bytes)} MiB, ${data.events.toLocaleString("en")} events; writer ${WRITER_TPS} transactions/s`,
  );
  console.log(
    `| ${pad("run", 26)} | ${padStart("wall time", 22)} | ${pad("steps", 34)} | ${padStart("output", 9)} | ${pad("writer p50 / p99 / max", 34)} |`,
  );
  console.log(
    `|${"-".repeat(28)}|${"-".repeat(24)}|${"-".repeat(36)}|${"-".repeat(11)}|${"-".repeat(36)}|`,
  );
  console.log(
    row(
      "Opsdeck, no writer",
      `${seconds(opsClean.wallMs)} s`,
      `copy ${seconds(opsClean.copyMs)} s, gzip+check ${seconds(opsClean.compressCheckMs)} s`,
      sizeOf(opsClean.sizeBytes),
      null,
    ),
  );
  console.log(
    row(
      "shell, no writer",
      `${seconds(shellClean.wallMs)} s`,
      `.backup ${seconds(shellClean.backupMs)} s, gzip ${seconds(shellClean.gzipMs ?? 0)} s`,
      sizeOf(shellClean.sizeBytes),
      null,
    ),
  );
  console.log(row("writer alone (10 s)", "–", "–", "–", baseline));
  console.log(
    row(
      "Opsdeck, writer",
      `${seconds(opsBusy.result.wallMs)} s`,
      `copy ${seconds(opsBusy.result.copyMs)} s, gzip+check ${seconds(opsBusy.result.compressCheckMs)} s`,
      sizeOf(opsBusy.result.sizeBytes),
      opsBusy.writer,
    ),
  );
  console.log(
    row(
      "shell, writer",
      shellBusy.result.finished
        ? `${seconds(shellBusy.result.wallMs)} s`
        : `did not finish in ${shellBusy.result.timeoutS} s`,
      shellBusy.result.finished
        ? `.backup ${seconds(shellBusy.result.backupMs)} s, gzip ${seconds(shellBusy.result.gzipMs ?? 0)} s`
        : ".backup killed",
      sizeOf(shellBusy.result.sizeBytes),
      shellBusy.writer,
    ),
  );
  console.log(
    row(
      "restore (Opsdeck)",
      `${seconds(restoreMs)} s`,
      `of which safety backup ${seconds(restorePhases.safetyBackupMs)} s`,
      "–",
      null,
    ),
  );
  console.log("");
  console.log(
    `opsdeck/shell: ${ratioClean.toFixed(3)} without writer, ${ratioBusy !== null ? ratioBusy.toFixed(3) : `< ${ratioBusyAtMost!.toFixed(2)} (shell did not finish)`} with writer (target ≤ ${TARGETS.ratioMax}); writer p99 during Opsdeck's backup ${opsBusy.writer.p99Ms} ms (target < ${TARGETS.writerP99MsMax} ms)`,
  );
  console.log("");
  console.log(
    JSON.stringify(
      {
        machine: {
          cpus: cpus.length,
          model: cpus[0]?.model,
          node: process.versions.node,
          sqlite: libVersion,
          sqliteCli,
        },
        database: {
          mib: mib(data.bytes),
          users: data.users,
          devices: data.devices,
          events: data.events,
          reused: data.reused,
          generateOrResetSeconds: +data.seconds.toFixed(1),
          warmUpReadSeconds: seconds(warmMs),
        },
        writerTps: WRITER_TPS,
        writerBaseline: baseline,
        withoutWriter: {
          opsdeck: {
            wallSeconds: seconds(opsClean.wallMs),
            copySeconds: seconds(opsClean.copyMs),
            compressAndCheckSeconds: seconds(opsClean.compressCheckMs),
            cpuSeconds: seconds(opsClean.cpuMs),
            mib: mib(opsClean.sizeBytes),
            gzipRatio: +(opsClean.rawBytes / opsClean.sizeBytes).toFixed(2),
          },
          shell: {
            wallSeconds: seconds(shellClean.wallMs),
            backupSeconds: seconds(shellClean.backupMs),
            gzipSeconds: seconds(shellClean.gzipMs ?? 0),
            mib: mib(shellClean.sizeBytes ?? 0),
          },
          ratio: +ratioClean.toFixed(3),
        },
        withWriter: {
          opsdeck: {
            wallSeconds: seconds(opsBusy.result.wallMs),
            copySeconds: seconds(opsBusy.result.copyMs),
            compressAndCheckSeconds: seconds(opsBusy.result.compressCheckMs),
            cpuSeconds: seconds(opsBusy.result.cpuMs),
            mib: mib(opsBusy.result.sizeBytes),
            writer: opsBusy.writer,
          },
          shell: {
            finished: shellBusy.result.finished,
            timeoutSeconds: shellBusy.result.timeoutS,
            wallSeconds: seconds(shellBusy.result.wallMs),
            backupSeconds: seconds(shellBusy.result.backupMs),
            gzipSeconds: shellBusy.result.gzipMs === null ? null : seconds(shellBusy.result.gzipMs),
            mib: shellBusy.result.sizeBytes === null ? null : mib(shellBusy.result.sizeBytes),
            writer: shellBusy.writer,
          },
          ratio: ratioBusy === null ? null : +ratioBusy.toFixed(3),
          ratioAtMost: ratioBusyAtMost === null ? null : +ratioBusyAtMost.toFixed(2),
        },
        restore: {
          wallSeconds: seconds(restoreMs),
          phasesMs: restorePhases,
          stepsAloneMs: restoreSteps,
        },
        targets: { ...TARGETS, met },
        breakdownMs: pieces ?? null,
      },
      null,
      2,
    ),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
