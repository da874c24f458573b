import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { SQLiteTransaction } from "drizzle-orm/sqlite-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { RunResult } from "better-sqlite3";
import { env } from "@/env";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export type Tx = SQLiteTransaction<
  "sync",
  RunResult,
  typeof schema,
  ExtractTablesWithRelations<typeof schema>
>;
/** Either the database or an open transaction: query helpers accept both. */
export type DbOrTx = Db | Tx;

/** The data directory is missing, not a directory or not writable. */
export class DataDirError extends Error {
  constructor(dir: string, reason: string) {
    super(`Data directory ${dir} ${reason}. Set OPSDECK_DATA_DIR to a writable directory.`);
    this.name = "DataDirError";
  }
}

const MIGRATIONS = path.join(process.cwd(), "server", "db", "migrations");

/**
 * Creates the data directory, or checks it, and makes it private (0700): it holds
 * the database and the session key. A directory that cannot be made private (one
 * owned by another user) is refused rather than used as it is.
 */
export function ensureDataDir(dir: string): string {
  const abs = path.resolve(dir);
  try {
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new DataDirError(
      abs,
      `cannot be created (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  if (!fs.statSync(abs).isDirectory()) throw new DataDirError(abs, "is not a directory");
  if ((fs.statSync(abs).mode & 0o777) !== 0o700) {
    try {
      fs.chmodSync(abs, 0o700);
    } catch (err) {
      throw new DataDirError(
        abs,
        `cannot be made private (chmod 700: ${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
  }
  try {
    fs.accessSync(abs, fs.constants.W_OK | fs.constants.R_OK);
  } catch {
    throw new DataDirError(abs, "is not writable");
  }
  return abs;
}

/**
 * Opens (and migrates) the database file in `dataDir`. WAL so readers never
 * wait for the writer; busy_timeout so a second process waits instead of failing.
 */
export function openDatabase(dataDir: string): Db {
  const dir = ensureDataDir(dataDir);
  const file = path.join(dir, "opsdeck.db");
  makePrivate(file);
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // Reads of history pages come from memory-mapped pages and a 64 MiB cache instead of
  // a read() per page: the difference between a small and a large database's page time.
  sqlite.pragma("cache_size = -65536");
  sqlite.pragma("mmap_size = 268435456");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });
  return db as Db;
}

/**
 * The database file, its WAL and shared-memory files are 0600 (and, under test, in a
 * temp directory: the guard that keeps tests off real data). Creating the main
 * file 0600 before SQLite opens it matters too: SQLite gives the -wal and -shm files
 * it creates later the main file's mode.
 */
export function makePrivate(file: string): void {
  if (
    env.NODE_ENV === "test" &&
    !file.startsWith(fs.realpathSync(os.tmpdir()) + path.sep) &&
    !file.startsWith(os.tmpdir() + path.sep)
  ) {
    throw new Error(
      `Refusing to open ${file} under test: tests use a database in a temp directory.`,
    );
  }
  fs.closeSync(fs.openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o777) !== 0o600) fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}

const state = globalThis as unknown as { __opsdeckDb?: Db };

/** The process-wide database (one connection; better-sqlite3 is synchronous). */
export function getDb(): Db {
  state.__opsdeckDb ??= openDatabase(env.OPSDECK_DATA_DIR);
  return state.__opsdeckDb;
}

export function closeDb(): void {
  state.__opsdeckDb?.$client.close();
  state.__opsdeckDb = undefined;
}

/** Test and script helper: use this database as the process-wide one. */
export function setDb(db: Db | undefined): void {
  state.__opsdeckDb = db;
}

export { schema };
