import "server-only";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SHARE_ENV, Worker } from "node:worker_threads";
import { env } from "@/env";
import type { LoadedConfig } from "@/server/config/load";
import type { Db } from "@/server/db";
import { releaseLease } from "@/server/jobs/lease";
import { newRunnerId } from "@/server/jobs/runner";
import { logger } from "@/server/logger";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import { captureError } from "@/server/sentry";
import type { EngineOptions, EngineSnapshot } from "./engine";
import type { EngineWorkerData, FromEngine, SerializedError, ToEngine } from "./protocol";

export type EngineThreadState = "starting" | "running" | "restarting" | "stopping" | "stopped";

export type EngineStatus = {
  state: EngineThreadState;
  /** When the current engine thread was started. */
  startedAt: Date | undefined;
  /** How many times the thread died and was started again. */
  restarts: number;
  /** When it last died; undefined if it never has. */
  lastExitAt: Date | undefined;
  /** The thread's latest report on itself (every second while it runs). */
  snapshot: EngineSnapshot | undefined;
};

export type EngineHostOptions = {
  /** The HTTP thread's connection: releases a dead thread's scheduler lease. */
  db: Db;
  /** The running config; a thread started again gets its current text. */
  config: () => LoadedConfig;
  options?: EngineOptions;
  /** A module to run instead of server/engine/main.ts (tests; from source only). */
  entry?: string;
  /** Milliseconds to wait before the n-th restart in a row (n from 1). */
  restartDelayMs?: (attempt: number) => number;
};

/** 1 s, 2 s, 4 s … at most a minute between attempts. */
export function restartDelay(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1));
}

/** A thread that ran this long before dying starts its backoff from the beginning. */
const HEALTHY_RUN_MS = 60_000;

/** The built engine in production; in development and tests the TypeScript source through tsx. */
function engineModule(entry: string | undefined): {
  file: string;
  execArgv: string[];
  entry?: string;
} {
  const root = process.cwd();
  if (env.NODE_ENV === "production" && !entry) {
    const file = path.join(root, ".next", "opsdeck-engine.mjs");
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first.`);
    return { file, execArgv: [] };
  }
  return {
    file: path.join(root, "server", "engine", "dev-entry.mjs"),
    // As for the tsx scripts: `server-only` resolves to its empty server build.
    execArgv: ["--conditions=react-server"],
    entry: pathToFileURL(entry ?? path.join(root, "server", "engine", "main.ts")).href,
  };
}

function revive(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

type Request = ToEngine extends infer T
  ? T extends { id: number }
    ? Omit<T, "id">
    : never
  : never;

/**
 * Runs the engine (server/engine/main.ts) in a worker thread and speaks to it for the
 * HTTP thread: its status for /api/health and the Settings page, its metrics for
 * /api/metrics, config reloads, and the graceful stop. A thread that dies is logged,
 * reported, and started again after a backoff; the new one cleans up after the old
 * one (orphaned jobs, the scheduler lease) before it starts work.
 */
export class EngineHost {
  private worker: Worker | undefined;
  private state: EngineThreadState = "starting";
  private snapshot: EngineSnapshot | undefined;
  private startedAt: Date | undefined;
  private lastExitAt: Date | undefined;
  private restarts = 0;
  private failuresInARow = 0;
  private everReady = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private nextRequestId = 1;
  private readonly pending = new Map<number, (reply: FromEngine | undefined) => void>();

  private constructor(private readonly opts: EngineHostOptions) {}

  /** Starts the engine thread; resolves once it has cleaned up and started, rejects if it cannot. */
  static async start(opts: EngineHostOptions): Promise<EngineHost> {
    const host = new EngineHost(opts);
    await host.spawn();
    return host;
  }

  status(): EngineStatus {
    return {
      state: this.state,
      startedAt: this.startedAt,
      restarts: this.restarts,
      lastExitAt: this.lastExitAt,
      snapshot: this.snapshot,
    };
  }

  /** The engine thread's metrics in the Prometheus text format; "" when it cannot answer. */
  async metrics(timeoutMs = 2000): Promise<string> {
    const reply = await this.request({ type: "metrics" }, timeoutMs);
    return reply?.type === "metrics" ? reply.text : "";
  }

  /**
   * Hands a config read by readConfig() to the engine thread, which parses the same text
   * and applies it; rejects if it refuses. A thread that is not running gets the running
   * config when it starts.
   */
  async applyConfig(loaded: LoadedConfig): Promise<void> {
    if (!loaded.source) throw new Error("this config has no source text to hand over");
    if (this.state !== "running") return;
    const reply = await this.request(
      { type: "config", file: loaded.file, source: loaded.source },
      30_000,
    );
    if (reply?.type !== "config") throw new Error("the engine thread did not apply the config");
    if (!reply.ok) throw new Error(`the engine thread refused the config: ${reply.message}`);
  }

  /**
   * Graceful stop: the thread stops checking and alerting, releases the lease, gives
   * running jobs `timeoutMs` to finish (then marks them interrupted) and exits.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) {
      this.state = "stopped";
      return;
    }
    this.state = "stopping";
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ type: "shutdown", timeoutMs } satisfies ToEngine);
    const hardStop = setTimeout(() => {
      logger.error("the engine thread did not stop in time; terminating it");
      void worker.terminate();
    }, timeoutMs + 10_000);
    await exited;
    clearTimeout(hardStop);
  }

  private request(message: Request, timeoutMs: number): Promise<FromEngine | undefined> {
    const worker = this.worker;
    if (!worker || this.state !== "running") return Promise.resolve(undefined);
    const id = this.nextRequestId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      const settle = (reply: FromEngine | undefined) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(reply);
      };
      this.pending.set(id, settle);
      worker.postMessage({ ...message, id } as ToEngine);
    });
  }

  private spawn(): Promise<void> {
    const holder = newRunnerId();
    const code = engineModule(this.opts.entry);
    const loaded = this.opts.config();
    const workerData: EngineWorkerData = {
      holder,
      config: loaded.source ? { file: loaded.file, source: loaded.source } : null,
      options: this.opts.options,
      entry: code.entry,
    };
    // SHARE_ENV: one environment for both threads, so a .env re-read on reload reaches both.
    const worker = new Worker(code.file, {
      workerData,
      env: SHARE_ENV,
      execArgv: code.execArgv,
      name: "opsdeck-engine",
    });
    this.worker = worker;
    this.startedAt = new Date();
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let failure: string | undefined;
      worker.on("message", (message: FromEngine) => {
        switch (message.type) {
          case "ready":
            ready = true;
            this.everReady = true;
            this.state = this.stopping ? "stopping" : "running";
            this.snapshot = message.snapshot;
            resolve();
            return;
          case "status":
            this.snapshot = message.snapshot;
            return;
          case "metrics":
          case "config":
            this.pending.get(message.id)?.(message);
            return;
          case "error":
            captureError(revive(message.error), message.context);
            return;
          case "fatal":
            failure = message.message;
            return;
          case "stopped":
            return;
        }
      });
      worker.on("error", (err) => {
        failure ??= err.message;
        logger.fatal({ error: err, context: { holder } }, "the engine thread crashed");
        captureError(err, { thread: "engine" });
      });
      worker.on("exit", (code) => {
        if (this.worker === worker) this.worker = undefined;
        for (const settle of [...this.pending.values()]) settle(undefined);
        if (!ready) reject(new Error(failure ?? `the engine thread exited with code ${code}`));
        this.exited(holder, code);
      });
    });
  }

  private exited(holder: string, code: number): void {
    this.snapshot = undefined;
    if (this.stopping || !this.everReady) {
      // A graceful stop, or a first start that failed (start() rejects; boot exits).
      this.state = "stopped";
      return;
    }
    this.lastExitAt = new Date();
    try {
      // Its successor has another holder id: let it take the lease now, not in 30 s.
      releaseLease(this.opts.db, SCHEDULER_LEASE, holder);
    } catch (err) {
      logger.error({ error: err }, "could not release the dead engine thread's lease");
    }
    const ranMs = Date.now() - (this.startedAt?.getTime() ?? 0);
    this.failuresInARow = ranMs >= HEALTHY_RUN_MS ? 1 : this.failuresInARow + 1;
    const delay = (this.opts.restartDelayMs ?? restartDelay)(this.failuresInARow);
    this.state = "restarting";
    logger.fatal(
      { context: { exitCode: code, restartInMs: delay, restarts: this.restarts } },
      "the engine thread stopped: no checks, alerts or jobs run until it is started again",
    );
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      // A thread that fails to start exits too, which schedules the next attempt.
      this.spawn().catch(() => undefined);
    }, delay);
    this.restartTimer.unref();
  }
}
