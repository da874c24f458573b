import "server-only";
import fs from "node:fs";
import path from "node:path";
import { SHARE_ENV, Worker } from "node:worker_threads";
import { env } from "@/env";
import type { LoadedConfig } from "@/server/config/load";
import type { Db } from "@/server/db";
import { releaseLease } from "@/server/jobs/lease";
import { newRunnerId } from "@/server/jobs/runner";
import { logger } from "@/server/logger";
import { SCHEDULER_LEASE } from "@/server/scheduler";
import { METRICS_LEASE } from "@/server/tsdb/lease";
import { captureError } from "@/server/sentry";
import type {
  EngineOptions,
  EngineSnapshot,
  EngineWorkerData,
  FromEngine,
  JobsSnapshot,
  MetricsSnapshot,
  SerializedError,
  ThreadRole,
  ThreadSnapshot,
  ToEngine,
} from "./protocol";

export type EngineThreadState = "starting" | "running" | "restarting" | "stopping" | "stopped";

export type ThreadStatus<S extends ThreadSnapshot = ThreadSnapshot> = {
  state: EngineThreadState;
  /** When the current thread was started. */
  startedAt: Date | undefined;
  /** How many times the thread died and was started again. */
  restarts: number;
  /** When it last died; undefined if it never has. */
  lastExitAt: Date | undefined;
  /** The thread's latest report on itself (every second while it runs). */
  snapshot: S | undefined;
};

export type EngineStatus = {
  engine: ThreadStatus<EngineSnapshot>;
  jobs: ThreadStatus<JobsSnapshot>;
  metrics: ThreadStatus<MetricsSnapshot>;
};

export type EngineHostOptions = {
  /** The HTTP thread's connection: releases a dead thread's scheduler lease. */
  db: Db;
  /** The running config; a thread started again gets its current text. */
  config: () => LoadedConfig;
  options?: EngineOptions;
  /** A bundle to run instead of the built engine (tests: a wrapper of main.ts, bundled alike). */
  entry?: string;
  /** Milliseconds to wait before the n-th restart in a row (n from 1). */
  restartDelayMs?: (attempt: number) => number;
};

/** 1 s, 2 s, 4 s … at most a minute between attempts. */
export function restartDelay(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1));
}

/** The lease a thread holds while it works, released when it dies. */
const LEASE_OF: Record<ThreadRole, string | undefined> = {
  engine: SCHEDULER_LEASE,
  jobs: undefined,
  metrics: METRICS_LEASE,
};

const STOPPED_MESSAGE: Record<ThreadRole, string> = {
  engine: "the engine thread stopped: no checks or alerts run until it is started again",
  jobs: "the jobs thread stopped: no jobs run until it is started again",
  metrics: "the metrics thread stopped: no scrapes or pushes are stored until it is started again",
};

/** A thread that ran this long before dying starts its backoff from the beginning. */
const HEALTHY_RUN_MS = 60_000;

/**
 * The module the threads run, a bundle of server/engine/main.ts (scripts/engine-bundle.mjs):
 * made by `npm run build` for production, by `npm run dev` before it starts the server.
 */
function engineModule(entry: string | undefined): string {
  if (entry) return entry;
  const file =
    env.NODE_ENV === "production"
      ? path.join(process.cwd(), ".next", "opsdeck-engine.mjs")
      : path.join(process.cwd(), "node_modules", ".cache", "opsdeck", "engine.mjs");
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} is missing: run \`${env.NODE_ENV === "production" ? "npm run build" : "npm run dev"}\`, which makes it.`,
    );
  }
  return file;
}

function revive(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** A message that expects a reply, before it is given its id. */
type Request = ToEngine extends infer T
  ? T extends { id: number }
    ? Omit<T, "id">
    : never
  : never;

/**
 * Runs one engine thread (server/engine/main.ts in the given role) and speaks to it for
 * the HTTP thread: its status, its metrics, config reloads and the graceful stop. A
 * thread that dies is logged, reported, and started again after a backoff; the new one
 * cleans up after the old one (orphaned jobs, the scheduler lease) before it works.
 */
class ThreadHost<S extends ThreadSnapshot> {
  private worker: Worker | undefined;
  private state: EngineThreadState = "starting";
  private snapshot: S | undefined;
  private startedAt: Date | undefined;
  private lastExitAt: Date | undefined;
  private restarts = 0;
  private failuresInARow = 0;
  private everReady = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private nextRequestId = 1;
  private readonly pending = new Map<number, (reply: FromEngine | undefined) => void>();

  constructor(
    private readonly role: ThreadRole,
    private readonly opts: EngineHostOptions,
  ) {}

  status(): ThreadStatus<S> {
    return {
      state: this.state,
      startedAt: this.startedAt,
      restarts: this.restarts,
      lastExitAt: this.lastExitAt,
      snapshot: this.snapshot,
    };
  }

  /** The thread's metrics in the Prometheus text format; "" when it cannot answer. */
  async metrics(timeoutMs = 2000): Promise<string> {
    const reply = await this.request({ type: "metrics" }, timeoutMs);
    return reply?.type === "metrics" ? reply.text : "";
  }

  /** Hands the config text to the thread, which parses and applies it; rejects if it refuses. */
  async applyConfig(loaded: LoadedConfig): Promise<void> {
    if (!loaded.source) throw new Error("this config has no source text to hand over");
    if (this.state !== "running") return;
    const reply = await this.request(
      { type: "config", file: loaded.file, source: loaded.source },
      30_000,
    );
    if (reply?.type !== "config")
      throw new Error(`the ${this.role} thread did not apply the config`);
    if (!reply.ok) throw new Error(`the ${this.role} thread refused the config: ${reply.message}`);
  }

  /** Asks the thread to stop as its parts stop (see Engine.stop, Jobs.stop) and waits for it to exit. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) {
      this.state = "stopped";
      return;
    }
    this.state = "stopping";
    logger.debug({ context: { thread: this.role } }, "stopping the thread");
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ type: "shutdown", timeoutMs } satisfies ToEngine);
    const hardStop = setTimeout(() => {
      logger.error(`the ${this.role} thread did not stop in time; terminating it`);
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

  /** Starts the thread; resolves once it has cleaned up and started, rejects if it cannot. */
  spawn(): Promise<void> {
    const holder = newRunnerId();
    this.startedAt = new Date();
    let worker: Worker;
    try {
      const file = engineModule(this.opts.entry);
      const loaded = this.opts.config();
      const workerData: EngineWorkerData = {
        role: this.role,
        holder,
        config: loaded.source ? { file: loaded.file, source: loaded.source } : null,
        options: this.opts.options,
      };
      // SHARE_ENV: one environment for both threads, so a .env re-read on reload reaches both.
      // Reflect.construct, not `new Worker(file)`: Next's bundler takes that for a worker
      // module to bundle and, the path being computed, tries every file in the project.
      worker = Reflect.construct(Worker, [
        file,
        { workerData, env: SHARE_ENV, execArgv: [], name: `opsdeck-${this.role}` },
      ]) as Worker;
    } catch (err) {
      // Not even created (no bundle, a bad bundle): a restart tries again later.
      if (this.everReady) {
        logger.error({ error: err }, `could not start the ${this.role} thread`);
        this.exited(holder, -1);
      }
      return Promise.reject(err);
    }
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let failure: string | undefined;
      worker.on("message", (message: FromEngine) => {
        switch (message.type) {
          case "ready":
            ready = true;
            this.everReady = true;
            this.state = this.stopping ? "stopping" : "running";
            this.snapshot = message.snapshot as S;
            resolve();
            return;
          case "status":
            this.snapshot = message.snapshot as S;
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
        logger.fatal({ error: err, context: { holder } }, `the ${this.role} thread crashed`);
        captureError(err, { thread: this.role });
      });
      worker.on("exit", (code) => {
        if (this.worker === worker) this.worker = undefined;
        for (const settle of [...this.pending.values()]) settle(undefined);
        if (!ready)
          reject(new Error(failure ?? `the ${this.role} thread exited with code ${code}`));
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
    const lease = LEASE_OF[this.role];
    if (lease) {
      try {
        // Its successor has another holder id: let it take the lease now, not in 30 s.
        releaseLease(this.opts.db, lease, holder);
      } catch (err) {
        logger.error({ error: err }, `could not release the dead ${this.role} thread's lease`);
      }
    }
    const ranMs = Date.now() - (this.startedAt?.getTime() ?? 0);
    this.failuresInARow = ranMs >= HEALTHY_RUN_MS ? 1 : this.failuresInARow + 1;
    const delay = (this.opts.restartDelayMs ?? restartDelay)(this.failuresInARow);
    this.state = "restarting";
    logger.fatal(
      {
        context: { thread: this.role, exitCode: code, restartInMs: delay, restarts: this.restarts },
      },
      STOPPED_MESSAGE[this.role],
    );
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      // A thread that fails to start exits (or is not created), which schedules the next attempt.
      this.spawn().catch(() => undefined);
    }, delay);
    this.restartTimer.unref();
  }
}

/**
 * The engine as the HTTP thread sees it: its three worker threads, the engine thread
 * (scheduler, checks, alerts), the jobs thread (the job runner) and the metrics thread
 * (scrapes and the metrics store), started and stopped together, each restarted on its
 * own if it dies.
 */
export class EngineHost {
  private constructor(
    private readonly engine: ThreadHost<EngineSnapshot>,
    private readonly jobs: ThreadHost<JobsSnapshot>,
    private readonly metricsThread: ThreadHost<MetricsSnapshot>,
  ) {}

  private get threads() {
    return [this.engine, this.jobs, this.metricsThread] as const;
  }

  /** Starts the threads; rejects (with nothing left running) if one cannot start. */
  static async start(opts: EngineHostOptions): Promise<EngineHost> {
    const host = new EngineHost(
      new ThreadHost<EngineSnapshot>("engine", opts),
      new ThreadHost<JobsSnapshot>("jobs", opts),
      new ThreadHost<MetricsSnapshot>("metrics", opts),
    );
    const started = await Promise.allSettled(host.threads.map((t) => t.spawn()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await Promise.all(host.threads.map((t) => t.shutdown(1000)));
      throw failed.reason;
    }
    return host;
  }

  status(): EngineStatus {
    return {
      engine: this.engine.status(),
      jobs: this.jobs.status(),
      metrics: this.metricsThread.status(),
    };
  }

  /** The threads' metrics in the Prometheus text format (a thread that cannot answer adds nothing). */
  async metrics(): Promise<string> {
    const texts = await Promise.all(this.threads.map((t) => t.metrics()));
    return texts.filter(Boolean).join("\n");
  }

  /**
   * Hands a config from readConfig() to every thread, which parse the same text and
   * apply it; rejects if one refuses. A thread that is not running gets the running
   * config when it starts.
   */
  async applyConfig(loaded: LoadedConfig): Promise<void> {
    await Promise.all(this.threads.map((t) => t.applyConfig(loaded)));
  }

  /**
   * Graceful stop: the engine thread stops checking and alerting and releases the lease;
   * the jobs thread claims nothing more and gives running jobs `timeoutMs` to finish
   * (then marks them interrupted); the metrics thread commits what it holds; all exit.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    await Promise.all(this.threads.map((t) => t.shutdown(timeoutMs)));
  }
}
