import "server-only";
import path from "node:path";
import Database from "better-sqlite3";
import { env } from "@/env";
import { ensureDataDir, makePrivate } from "@/server/db";
import { METRICS_MIGRATIONS } from "./migrations";

export type MetricsDb = Database.Database;

/**
 * Opens (and migrates) `metrics.db` in the data directory: the metrics store, apart
 * from opsdeck.db so metric writes and the app's writes never wait for each other
 * (SQLite has one writer per file). WAL, so the HTTP thread's reads never wait for
 * the metrics thread's commits.
 */
export function openMetricsDb(dataDir: string, opts: { readonly?: boolean } = {}): MetricsDb {
  const file = path.join(ensureDataDir(dataDir), "metrics.db");
  makePrivate(file);
  const db = new Database(file);
  // 16 KiB pages hold more chunk rows each, so splits leave less of a page empty: about
  // 10 % fewer bytes per sample (docs/benchmarks.md, "Storage"). Only a new, empty file
  // takes it; one made with 4 KiB pages keeps them.
  db.pragma("page_size = 16384");
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -65536");
  db.pragma("mmap_size = 268435456");
  migrateMetricsDb(db);
  if (opts.readonly) db.pragma("query_only = ON");
  return db;
}

export function migrateMetricsDb(db: MetricsDb): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > METRICS_MIGRATIONS.length)
    throw new Error(
      `metrics.db is at schema version ${version}, newer than this Opsdeck knows (${METRICS_MIGRATIONS.length}); run the newer Opsdeck or restore an older file`,
    );
  for (let v = version; v < METRICS_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(METRICS_MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

const state = globalThis as unknown as { __opsdeckMetricsDb?: MetricsDb };

/** This thread's connection to metrics.db (one per thread; better-sqlite3 is synchronous). */
export function getMetricsDb(): MetricsDb {
  state.__opsdeckMetricsDb ??= openMetricsDb(env.OPSDECK_DATA_DIR);
  return state.__opsdeckMetricsDb;
}

export function closeMetricsDb(): void {
  state.__opsdeckMetricsDb?.close();
  state.__opsdeckMetricsDb = undefined;
}
