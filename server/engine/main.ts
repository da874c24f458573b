// The engine thread's entry: started by server/engine/host.ts in a worker thread
// (bundled to .next/opsdeck-engine.mjs for production; from source through
// server/engine/dev-entry.mjs in development and tests). It opens its own database
// connection and runs everything that must keep time: checks, alerts, the scheduler
// and the job runner. It talks to the HTTP thread only through messages.
import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import { getConfig, installConfigSource } from "@/server/config";
import { closeDb, getDb } from "@/server/db";
import { logger } from "@/server/logger";
import { forwardErrorsTo } from "@/server/sentry";
import { Engine } from "./engine";
import { engineMetricsText, registerEngineGauges } from "./metrics";
import { serializeError, type EngineWorkerData, type FromEngine, type ToEngine } from "./protocol";

const STATUS_INTERVAL_MS = 1000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("server/engine/main.ts runs in a worker thread");
  const data = workerData as EngineWorkerData;
  const post = (message: FromEngine) => port.postMessage(message);
  // Sentry is set up in the HTTP thread (instrumentation.ts); errors are reported there.
  forwardErrorsTo((err, context) => post({ type: "error", error: serializeError(err), context }));

  let engine: Engine;
  try {
    const loaded = data.config
      ? installConfigSource(data.config.file, data.config.source)
      : getConfig();
    engine = new Engine(getDb(), loaded.config, data.holder, data.options);
    registerEngineGauges({
      isLeader: () => engine.scheduler.isLeader,
      runningJobs: () => engine.runner.activeCount,
    });
    await engine.start();
  } catch (err) {
    post({ type: "fatal", message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }

  const status = setInterval(
    () => post({ type: "status", snapshot: engine.snapshot() }),
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
          engine.applyConfig(loaded.config);
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
        void engine
          .stop(message.timeoutMs)
          .then(({ finished, interrupted }) => post({ type: "stopped", finished, interrupted }))
          .catch((err) => logger.error({ error: err }, "engine shutdown failed"))
          .finally(() => {
            closeDb();
            process.exit(0);
          });
        return;
    }
  });
  post({ type: "ready", snapshot: engine.snapshot() });
  logger.debug({ context: { holder: data.holder } }, "engine thread started");
}

void main();
