import "server-only";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { formatBytes } from "@/lib/format";
import type { BackupJobConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backups, type Backup } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";
import { redactSecrets, redactSecretsNamed } from "@/server/secrets/redact";
import { runCommand } from "./command";
import { backupFileName, compressVerified, publish, removeQuietly } from "./files";
import { backupsToDelete } from "./retention";
import { sqliteBackup, sqliteCheck } from "./sqlite-worker";

export type BackupKind = "scheduled" | "manual" | "safety";

/** Where a job's files live: final files, failed ones kept apart, safety copies, work in progress. */
export function backupDirs(job: BackupJobConfig) {
  const root = path.resolve(job.destination!.path);
  return {
    root,
    failed: path.join(root, "failed"),
    safety: path.join(root, "safety"),
    tmp: path.join(root, ".opsdeck-tmp"),
  };
}

/**
 * A work file of job `jobId` in the destination's temporary directory. The job id in
 * the name is what start-up clean-up reads: it removes only files of jobs not running.
 */
export function workFile(job: BackupJobConfig, jobId: number, name: string): string {
  return path.join(backupDirs(job).tmp, `job-${jobId}.${name}`);
}

/** The job a work file belongs to, from its name (null for a name this version did not write). */
export function workFileJob(name: string): number | null {
  const m = /^job-(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

export async function prepareDirs(job: BackupJobConfig) {
  const dirs = backupDirs(job);
  for (const dir of Object.values(dirs)) {
    try {
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new Error(
        `cannot use the destination ${dirs.root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  try {
    await fsp.access(dirs.root, fs.constants.W_OK);
  } catch {
    throw new Error(`the destination ${dirs.root} is not writable`);
  }
  return dirs;
}

function finish(db: Db, id: number, values: Partial<Backup>): void {
  const error = values.error ? { error: redactSecrets(values.error) } : {};
  db.update(backups)
    .set({ ...values, ...error })
    .where(eq(backups.id, id))
    .run();
}

/**
 * One backup of `job`. The file is written under a temporary name, compressed while it
 * streams, fsynced, checked (the database copy passes PRAGMA integrity_check; the gzip
 * decompresses to exactly what was written), and only then renamed to
 * `{job}_{UTC timestamp}-{record id}.db.gz`. A file that fails its check is moved to `failed/` and
 * never offered for restore. Any failure leaves no file under a final name.
 */
export async function takeBackup(
  ctx: JobContext<unknown>,
  job: BackupJobConfig,
  opts: { kind: BackupKind; requestedBy: string; into?: "root" | "safety" },
): Promise<Backup> {
  if (job.source.type === "external")
    throw new Error(`${job.id} is made by another system; Opsdeck only records it`);
  const started = new Date();
  const record = ctx.db
    .insert(backups)
    .values({
      jobId: job.id,
      runJobId: ctx.jobId,
      kind: opts.kind,
      status: "running",
      startedAt: started,
      requestedBy: opts.requestedBy,
    })
    .returning()
    .get();
  const extension = job.source.type === "sqlite" ? ".db" : job.source.extension;
  const name = backupFileName(job.id, started, record.id, extension, opts.kind === "safety");
  let dirs: ReturnType<typeof backupDirs> | undefined;
  let raw = "";
  let part = "";
  try {
    ctx.signal.throwIfAborted();
    dirs = await prepareDirs(job);
    raw = workFile(job, ctx.jobId, `${name}.raw`);
    part = workFile(job, ctx.jobId, `${name}.part`);
    const final = path.join(opts.into === "safety" ? dirs.safety : dirs.root, name);
    let tables: Record<string, number> | null = null;
    let compressed;

    if (job.source.type === "sqlite") {
      const source = path.resolve(job.source.path);
      if (!fs.existsSync(source)) throw new Error(`the database ${source} does not exist`);
      ctx.log("info", `Copying ${source} with SQLite's online backup…`);
      await sqliteBackup(
        source,
        raw,
        (done, total) =>
          ctx.progress(total ? (35 * done) / total : 0, `copying: ${done} of ${total} pages`),
        ctx.signal,
      ).catch((err: Error) => {
        // SQLite says "disk I/O error" or "database or disk is full" for a full disk or a write limit.
        throw /disk I\/O error|disk is full/.test(err.message)
          ? new Error(
              `cannot write the copy into ${dirs!.tmp}: ${err.message} (is the destination's disk full?)`,
            )
          : err;
      });
      const rawSize = (await fsp.stat(raw)).size;
      ctx.log("info", `Copied ${formatBytes(rawSize)}; compressing and checking integrity.`);
      const [check, result] = await Promise.all([
        sqliteCheck(raw, ctx.signal),
        compressVerified(
          fs.createReadStream(raw),
          part,
          (bytes) => ctx.progress(35 + (60 * bytes) / Math.max(rawSize, 1), "compressing"),
          ctx.signal,
        ),
      ]);
      compressed = result;
      if (!check.ok) {
        const kept = path.join(dirs.failed, name);
        await publish(part, kept);
        finish(ctx.db, record.id, {
          status: "failed",
          file: kept,
          error: `integrity check failed: ${check.problems.join("; ")}`,
          finishedAt: new Date(),
        });
        throw new Error(
          `the copy failed its integrity check (${check.problems[0]}); kept apart as ${kept}`,
        );
      }
      tables = check.tables;
    } else {
      ctx.log("info", `Running ${redactSecretsNamed(job.source.command.join(" "))}…`);
      // Stop the command too when writing its output fails (disk full, say).
      const stop = new AbortController();
      const relay = () => stop.abort();
      // Canceled before this point: never start the command (a later abort fires the relay).
      ctx.signal.throwIfAborted();
      ctx.signal.addEventListener("abort", relay, { once: true });
      const run = runCommand(job.source.command, job.source.timeout, stop.signal, job.source.env);
      let result, exit;
      try {
        [result, exit] = await Promise.all([
          compressVerified(
            run.stdout,
            part,
            (bytes) =>
              ctx.progress(Math.min(90, bytes / 1_048_576), `${formatBytes(bytes)} written`),
            stop.signal,
          ),
          run.done,
        ]);
      } catch (err) {
        stop.abort();
        throw err;
      } finally {
        ctx.signal.removeEventListener("abort", relay);
      }
      if (exit.timedOut)
        throw new Error(`the command did not finish within ${job.source.timeout / 1000} s`);
      if (exit.code !== 0)
        throw new Error(
          `the command exited with ${exit.code ?? exit.signal}${exit.stderr ? `: ${exit.stderr.slice(-500)}` : ""}`,
        );
      if (result.rawBytes === 0) throw new Error("the command wrote nothing to stdout");
      if (exit.stderr) ctx.log("warn", `stderr: ${exit.stderr.slice(-1000)}`);
      compressed = result;
    }

    await publish(part, final);
    const finishedAt = new Date();
    const done = {
      status: "verified" as const,
      file: final,
      verified: true,
      sizeBytes: compressed.sizeBytes,
      rawBytes: compressed.rawBytes,
      sha256: compressed.sha256,
      tables,
      finishedAt,
      durationMs: finishedAt.getTime() - started.getTime(),
    };
    finish(ctx.db, record.id, done);
    ctx.progress(100, "done");
    ctx.log(
      "info",
      `Backed up ${formatBytes(compressed.rawBytes)} into ${formatBytes(compressed.sizeBytes)} (${final}), SHA-256 ${compressed.sha256.slice(0, 16)}…`,
    );
    return { ...record, ...done };
  } catch (err) {
    // Stopped on purpose (canceled, shut down): the record says why, not "aborted".
    const why = ctx.signal.aborted ? (ctx.signal.reason as unknown) : err;
    const message = why instanceof Error ? why.message : String(why);
    const current = ctx.db
      .select({ status: backups.status })
      .from(backups)
      .where(eq(backups.id, record.id))
      .get();
    if (current?.status === "running")
      finish(ctx.db, record.id, {
        status: "failed",
        error: message.slice(0, 2000),
        finishedAt: new Date(),
      });
    throw err;
  } finally {
    if (raw || part) await removeQuietly(raw, part);
  }
}

/** Deletes what retention no longer keeps; each deletion is written on the backup's record. */
export async function applyRetention(
  ctx: JobContext<unknown>,
  job: BackupJobConfig,
  now = Date.now(),
): Promise<number> {
  const rows = ctx.db
    .select()
    .from(backups)
    .where(and(eq(backups.jobId, job.id), inArray(backups.status, ["verified", "failed"])))
    .all();
  const doomed = new Set(backupsToDelete(rows, job.retention, now));
  for (const b of rows.filter((r) => doomed.has(r.id))) {
    if (b.file) await removeQuietly(b.file);
    finish(ctx.db, b.id, {
      status: "deleted",
      deletedAt: new Date(now),
      deletedReason: `retention: older than ${job.retention.days} days`,
    });
    ctx.log(
      "info",
      `Deleted ${b.file ?? `backup #${b.id}`} (older than ${job.retention.days} days).`,
    );
  }
  return doomed.size;
}
