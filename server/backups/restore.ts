import "server-only";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { BackupJobConfig } from "@/server/config/schema";
import { backups, type Backup } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";
import { redactSecretsNamed } from "@/server/secrets/redact";
import { runCommand } from "./command";
import { decompressChecked, removeQuietly } from "./files";
import { prepareDirs, takeBackup, workFile } from "./run";
import { sqliteCheck, sqliteRestore } from "./sqlite-worker";

export type RestoreOutcome = {
  restored: Backup["id"];
  safetyFile: string;
  tables: Record<string, number>;
};

async function hook(
  ctx: JobContext<unknown>,
  name: string,
  argv: string[] | undefined,
  envNames: readonly string[] | undefined,
  /** null: run to the end whatever happens to the job. */
  stopOn: AbortSignal | null = ctx.signal,
): Promise<void> {
  if (!argv) return;
  const signal = stopOn ?? undefined;
  ctx.log("info", `Running the ${name} hook: ${redactSecretsNamed(argv.join(" "))}`);
  const run = runCommand(argv, 10 * 60_000, signal, envNames);
  run.stdout.resume();
  const exit = await run.done;
  signal?.throwIfAborted();
  if (exit.code !== 0)
    throw new Error(
      `the ${name} hook failed (exit ${exit.code ?? exit.signal})${exit.stderr ? `: ${exit.stderr.slice(-300)}` : ""}`,
    );
}

/**
 * Decompresses a recorded backup into `target` and proves it is a sound database.
 * `stopOn` stops it: the job's signal, or null when the caller must finish (putting a
 * safety copy back).
 */
export async function unpackVerified(
  ctx: JobContext<unknown>,
  backup: Backup,
  target: string,
  stopOn: AbortSignal | null = ctx.signal,
): Promise<Record<string, number>> {
  const signal = stopOn ?? undefined;
  if (!backup.file || !fs.existsSync(backup.file))
    throw new Error(`the backup file ${backup.file ?? "(none)"} is missing`);
  await decompressChecked(backup.file, target, backup.sha256, signal);
  const check = await sqliteCheck(target, signal);
  if (!check.ok) throw new Error(`the backup fails its integrity check (${check.problems[0]})`);
  return check.tables;
}

/**
 * Restores a verified backup into the live database. Everything that can fail is
 * checked before the live file is touched (checksum, decompression, integrity, the
 * pre-restore hook); then a safety backup of the live database is taken; then the
 * backup is copied in with SQLite's backup API and checked again. If that check fails,
 * the safety copy is put back the same way, and the job says so.
 *
 * Cancel (or shutdown): up to the safety copy, the job stops where it is and the live
 * database is untouched. Once the copy into the live database has begun it is never
 * stopped half-way: it finishes, and then the safety copy is put back the same way, so
 * a canceled restore leaves the database as it was. The post-restore hook runs after a
 * cancel too, when the pre-restore hook ran (it undoes what that one did).
 */
export async function restoreBackup(
  ctx: JobContext<unknown>,
  job: BackupJobConfig,
  backup: Backup,
  requestedBy: string,
): Promise<RestoreOutcome> {
  if (job.source.type !== "sqlite")
    throw new Error("only sqlite backups can be restored from Opsdeck");
  if (backup.status !== "verified" || !backup.verified)
    throw new Error(`backup #${backup.id} is not a verified backup`);
  const live = path.resolve(job.source.path);
  const incoming = workFile(job, ctx.jobId, `restore-${backup.id}-${Date.now()}.db`);
  const previous = `${incoming}.previous`;
  let preHookRan = false;
  try {
    await prepareDirs(job);
    ctx.progress(5, "checking the backup");
    const tables = await unpackVerified(ctx, backup, incoming);
    ctx.log("info", `Backup #${backup.id} is sound: ${Object.keys(tables).length} tables.`);
    preHookRan = !!job.hooks.preRestore;
    await hook(ctx, "pre-restore", job.hooks.preRestore, job.hooks.env);
    ctx.signal.throwIfAborted();

    ctx.progress(25, "taking a safety backup of the live database");
    const safety = await takeBackup(ctx, job, { kind: "safety", requestedBy, into: "safety" });
    ctx.log("info", `Safety backup of the live database: ${safety.file}`);
    // The last safe point: past it, the live database changes.
    ctx.signal.throwIfAborted();

    ctx.progress(60, "restoring");
    await sqliteRestore(incoming, live, (done, total) =>
      ctx.progress(60 + (30 * done) / Math.max(total, 1), "restoring"),
    );
    const after = await sqliteCheck(live);
    if (!after.ok || ctx.signal.aborted) {
      const why = !after.ok
        ? `The restored database fails its integrity check (${after.problems[0]})`
        : `The restore was stopped (${(ctx.signal.reason as Error)?.message ?? "aborted"})`;
      ctx.log("error", `${why}; putting the previous database back from ${safety.file}.`);
      await unpackVerified(ctx, safety, previous, null);
      await sqliteRestore(previous, live);
      if (!after.ok)
        throw new Error(
          `the restore failed its integrity check; the previous database was put back from ${safety.file}`,
        );
      ctx.log("warn", `The previous database was put back from ${safety.file}.`);
      throw ctx.signal.reason;
    }
    // Done: a cancel from here on comes too late, so the hook runs to its end.
    await hook(ctx, "post-restore", job.hooks.postRestore, job.hooks.env, null).catch(
      (err: Error) => ctx.log("warn", `${err.message} (the restore itself succeeded)`),
    );
    ctx.progress(100, "restored");
    ctx.log("info", `Restored backup #${backup.id} into ${live}.`);
    return { restored: backup.id, safetyFile: safety.file!, tables: after.tables };
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
    if (preHookRan)
      await hook(ctx, "post-restore", job.hooks.postRestore, job.hooks.env, null).catch(
        (e: Error) => ctx.log("warn", e.message),
      );
    // Stopped on purpose: the reason (canceled by…, shutting down) is the outcome.
    throw ctx.signal.reason ?? err;
  } finally {
    await removeQuietly(incoming, previous);
  }
}

/**
 * A restore drill: the newest verified backup is restored into a scratch database,
 * checked, and its row counts compared with those recorded when it was taken.
 */
export async function drillBackup(ctx: JobContext<unknown>, job: BackupJobConfig, backup: Backup) {
  const scratch = workFile(job, ctx.jobId, `drill-${backup.id}-${Date.now()}.db`);
  const at = new Date();
  try {
    await prepareDirs(job);
    const tables = await unpackVerified(ctx, backup, scratch);
    const expected = backup.tables ?? {};
    const differences = Object.keys({ ...expected, ...tables }).filter(
      (t) => expected[t] !== tables[t],
    );
    const ok = differences.length === 0;
    const detail = ok
      ? `restored into a scratch database: ${Object.keys(tables).length} tables, row counts as recorded`
      : `row counts differ from the record for ${differences.map((t) => `${t} (${expected[t] ?? "absent"} → ${tables[t] ?? "absent"})`).join(", ")}`;
    ctx.db
      .update(backups)
      .set({ drillAt: at, drillOk: ok, drillDetail: detail })
      .where(eq(backups.id, backup.id))
      .run();
    if (!ok) throw new Error(detail);
    ctx.log("info", `Drill passed for backup #${backup.id}: ${detail}.`);
    return { backup: backup.id, ok, detail };
  } catch (err) {
    // A drill that was stopped (canceled, shut down) tested nothing: it is not a failed drill.
    if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
    const message = err instanceof Error ? err.message : String(err);
    ctx.db
      .update(backups)
      .set({ drillAt: at, drillOk: false, drillDetail: message.slice(0, 1000) })
      .where(eq(backups.id, backup.id))
      .run();
    throw err;
  } finally {
    await removeQuietly(scratch);
  }
}
