// The entry of both engine threads, started by server/engine/host.ts in worker threads
// as a bundle (scripts/engine-bundle.mjs: .next/opsdeck-engine.mjs in production, made
// from the source in development and tests). Each opens its own database connection;
// the engine thread keeps time (scheduler, checks, alerts), the jobs thread runs jobs.
// They talk to the HTTP thread only through messages.
import "server-only";
import fs from "node:fs";
import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { getConfig, installConfigSource } from "@/server/config";
import { closeDb, getDb } from "@/server/db";
import { closeMetricsDb } from "@/server/tsdb/db";
import { logger } from "@/server/logger";
import { forwardErrorsTo } from "@/server/sentry";
import { Engine } from "./engine";
import { MetricsThread } from "@/server/tsdb/thread";
import { Jobs } from "./jobs";
import { engineMetricsText } from "./metrics";
import {
  serializeError,
  type EngineWorkerData,
  type FromEngine,
  type ThreadParts,
  type ThreadSnapshot,
  type ToEngine,
} from "./protocol";

const STATUS_INTERVAL_MS = 1000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("server/engine/main.ts runs in a worker thread");
  const data = workerData as EngineWorkerData;
  const post = (message: FromEngine) => port.postMessage(message);
  // Sentry is set up in the HTTP thread (instrumentation.ts); errors are reported there.
  forwardErrorsTo((err, context) =>
    post({ type: "error", error: serializeError(err), context: { thread: data.role, ...context } }),
  );

  // Node 20 gives the Worker's `name` to the inspector only; the OS thread stays "node".
  // Named, `top -H` and /proc/<pid>/task/*/comm show which thread spends the CPU (the
  // metrics benchmark reads it there). 15 bytes is the kernel's limit; all three fit.
  if (process.platform === "linux") {
    try {
      fs.writeFileSync("/proc/thread-self/comm", `opsdeck-${data.role}`);
    } catch {
      // Only the name is lost, e.g. where /proc is not mounted.
    }
  }

  // Jobs are batch work: when the cores are busy, checks and pages go first. Linux keeps a
  // nice value per thread, so this lowers the jobs thread (and the commands it starts)
  // only; elsewhere it would lower the whole process, so it is left alone there.
  if (data.role === "jobs" && process.platform === "linux") {
    try {
      os.setPriority(0, os.constants.priority.PRIORITY_BELOW_NORMAL);
    } catch (err) {
      logger.debug({ error: err }, "could not lower the jobs thread's priority");
    }
  }

  let parts: ThreadParts<ThreadSnapshot>;
  try {
    const loaded = data.config
      ? installConfigSource(data.config.file, data.config.source)
      : getConfig();
    const Parts = { engine: Engine, jobs: Jobs, metrics: MetricsThread }[data.role];
    parts = new Parts(getDb(), loaded.config, data.holder, data.options);
    await parts.start();
  } catch (err) {
    post({ type: "fatal", message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }

  const status = setInterval(
    () => post({ type: "status", snapshot: parts.snapshot() }),
    STATUS_INTERVAL_MS,
  );
  status.unref();
  let stopping = false;

  port.on("message", (message: ToEngine) => {
    switch (message.type) {
      case "metrics":
        void engineMetricsText().then(
          (text) => post({ type: "metrics", id: message.id, text }),
          () => post({ type: "metrics", id: message.id, text: "" }),
        );
        return;
      case "config":
        try {
          const loaded = installConfigSource(message.file, message.source);
          parts.applyConfig(loaded.config);
          post({ type: "config", id: message.id, ok: true });
        } catch (err) {
          post({
            type: "config",
            id: message.id,
            ok: false,
            message: err instanceof Error ? err.message : String(err),
          });
        }
        return;
      case "shutdown":
        if (stopping) return;
        stopping = true;
        clearInterval(status);
        void parts
          .stop(message.timeoutMs)
          .then(() => post({ type: "stopped" }))
          .catch((err) =>
            logger.error({ error: err, context: { thread: data.role } }, "stop failed"),
          )
          .finally(() => {
            closeMetricsDb();
            closeDb();
            process.exit(0);
          });
        return;
    }
  });
  post({ type: "ready", snapshot: parts.snapshot() });
}

void main();
