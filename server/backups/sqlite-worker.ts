import "server-only";
import path from "node:path";
import { Worker } from "node:worker_threads";

const WORKER = path.join(process.cwd(), "server", "backups", "worker.mjs");

type Progress = (done: number, total: number) => void;
type Task =
  | { op: "backup"; source: string; target: string }
  | { op: "check"; file: string }
  | { op: "restore"; source: string; target: string };
export type CheckResult =
  { ok: true; tables: Record<string, number> } | { ok: false; problems: string[] };

/** Runs one task in a fresh worker thread; rejects with the worker's error message. */
function run<T>(task: Task, onProgress?: Progress, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // An abort that came before the start would never fire its event: refuse at once.
    if (signal?.aborted) return reject(new Error("aborted"));
    const worker = new Worker(WORKER, { workerData: task });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", abort);
      fn();
    };
    const abort = () => {
      void worker.terminate();
      finish(() => reject(new Error("aborted")));
    };
    signal?.addEventListener("abort", abort, { once: true });
    worker.on(
      "message",
      (m: { type: string; done?: number; total?: number; result?: T; message?: string }) => {
        if (m.type === "progress") onProgress?.(m.done ?? 0, m.total ?? 0);
        else if (m.type === "done") finish(() => resolve(m.result as T));
        else if (m.type === "error") finish(() => reject(new Error(m.message)));
      },
    );
    worker.on("error", (err) => finish(() => reject(err)));
    worker.on("exit", (code) =>
      finish(() => reject(new Error(`backup worker exited with code ${code}`))),
    );
  });
}

/** Online backup of the SQLite file `source` into the new file `target`. */
export function sqliteBackup(
  source: string,
  target: string,
  onProgress?: Progress,
  signal?: AbortSignal,
) {
  return run<Record<string, never>>({ op: "backup", source, target }, onProgress, signal);
}

/** integrity_check and per-table row counts of a SQLite file. */
export function sqliteCheck(file: string, signal?: AbortSignal) {
  return run<CheckResult>({ op: "check", file }, undefined, signal);
}

/** Copies `source` into the live database file `target` with the backup API. */
export function sqliteRestore(
  source: string,
  target: string,
  onProgress?: Progress,
  signal?: AbortSignal,
) {
  return run<Record<string, never>>({ op: "restore", source, target }, onProgress, signal);
}
