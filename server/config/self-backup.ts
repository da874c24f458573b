import "server-only";
import path from "node:path";
import { env } from "@/env";

/** The id of Opsdeck's own backup job; a job in the file cannot take it. */
export const SELF_BACKUP_ID = "opsdeck";

/** Where the job's files go unless `selfBackup.path` says otherwise: `<data dir>/backups`. */
export function defaultSelfBackupDir(): string {
  return path.join(path.resolve(env.OPSDECK_DATA_DIR), "backups");
}

/** The database that runs Opsdeck: what the built-in job backs up. */
export function selfDatabaseFile(): string {
  return path.join(path.resolve(env.OPSDECK_DATA_DIR), "opsdeck.db");
}

/** Whether a backup job is Opsdeck's own (restored only with Opsdeck stopped). */
export function isSelfBackup(jobId: string): boolean {
  return jobId === SELF_BACKUP_ID;
}
