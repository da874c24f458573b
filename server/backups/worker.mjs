// @ts-check
// SQLite work that would block Opsdeck's event loop for seconds on a large database runs
// here, in a worker thread with its own connections: the online backup, the integrity
// check and the restore. Plain JavaScript, loaded by path, so it needs no bundling.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/** @typedef {{ op: "backup", source: string, target: string } | { op: "check", file: string } | { op: "restore", source: string, target: string }} Task */

const task = /** @type {Task} */ (workerData);

/** @param {object} message */
const post = (message) => parentPort?.postMessage(message);

/** Copies `source` into the file `target` with the online backup API. */
async function backup(source, target) {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 10000");
    await db.backup(target, {
      progress({ totalPages, remainingPages }) {
        post({ type: "progress", done: totalPages - remainingPages, total: totalPages });
        // After the first step, the rest goes in one step under a single read
        // transaction: stepwise copying restarts whenever the application writes, so a
        // busy database would never finish (docs/adr/0006).
        return 1 << 30;
      },
    });
  } finally {
    db.close();
  }
}

/** PRAGMA integrity_check, then every table's row count. */
function check(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = db
      .prepare("PRAGMA integrity_check")
      .all()
      .map((r) => /** @type {{ integrity_check: string }} */ (r).integrity_check);
    if (problems.length !== 1 || problems[0] !== "ok") {
      return { ok: false, problems: problems.slice(0, 10) };
    }
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((r) => /** @type {{ name: string }} */ (r).name);
    /** @type {Record<string, number>} */
    const counts = {};
    for (const name of tables) {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      counts[name] = /** @type {{ n: number }} */ (
        db.prepare(`SELECT count(*) AS n FROM ${quoted}`).get()
      ).n;
    }
    return { ok: true, tables: counts };
  } catch (err) {
    return { ok: false, problems: [err instanceof Error ? err.message : String(err)] };
  } finally {
    db.close();
  }
}

/**
 * Replaces the live database `target` with `source` through the backup API: SQLite
 * locks the target for the copy, so its other connections see the old database or
 * the new one, never half of each.
 */
async function restore(source, target) {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target, {
      progress({ totalPages, remainingPages }) {
        post({ type: "progress", done: totalPages - remainingPages, total: totalPages });
        return 1 << 30;
      },
    });
  } finally {
    db.close();
  }
}

try {
  if (task.op === "backup") {
    await backup(task.source, task.target);
    post({ type: "done", result: {} });
  } else if (task.op === "check") {
    post({ type: "done", result: check(task.file) });
  } else {
    await restore(task.source, task.target);
    post({ type: "done", result: {} });
  }
} catch (err) {
  post({
    type: "error",
    message: err instanceof Error ? err.message : String(err),
    code: /** @type {{ code?: string }} */ (err)?.code,
  });
}
