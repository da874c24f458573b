import "server-only";
import { env } from "@/env";
import { AuditCheckpointError, ensureAuditKey } from "@/server/audit/checkpoint";
import { AuditKeyError } from "@/server/audit/key";
import { ensureFirstAdmin } from "@/server/auth/bootstrap";
import { secureCookies } from "@/server/auth/options";
import { getSessionSecret } from "@/server/auth/secret";
import { getConfig } from "@/server/config";
import { ConfigError, type LoadedConfig } from "@/server/config/load";
import { closeDb, DataDirError, getDb } from "@/server/db";
import { EngineHost } from "@/server/engine/host";
// Registered here too: the HTTP thread enqueues jobs, and enqueueing checks their parameters.
import "@/server/jobs/kinds";
import { logger } from "@/server/logger";

export type Runtime = {
  startedAt: Date;
  /** The engine thread: checks, alerts, the scheduler and the job runner. */
  engine: EngineHost;
  shutdown(timeoutMs: number): Promise<void>;
  close(): void;
};

const state = globalThis as unknown as { __opsdeckRuntime?: Runtime };

export function getRuntime(): Runtime | undefined {
  return state.__opsdeckRuntime;
}

/** Tests that start the engine thread themselves install it as the running one. */
export function setRuntimeForTests(runtime: Runtime | undefined): void {
  state.__opsdeckRuntime = runtime;
}

/** boot(), and on any failure exit: serving pages without a database or jobs would only hide the problem. */
export async function bootOrExit(): Promise<Runtime> {
  try {
    return await boot();
  } catch (err) {
    process.stderr.write(
      `\nOpsdeck failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  }
}

/** A start-up problem the operator must fix: printed plainly, then the process exits. */
function fatal(message: string): never {
  process.stderr.write(`\nOpsdeck cannot start.\n${message}\n\n`);
  logger.fatal(message.split("\n")[0]);
  process.exit(1);
}

/**
 * Start-up, in order: config (a bad file stops here with its problems listed),
 * data directory and migrations, session key, audit key, first admin, then the engine thread
 * (which first cleans up after a crash, then starts the job runner, the scheduler,
 * checks and alerting). This thread serves pages and APIs.
 */
export async function boot(): Promise<Runtime> {
  if (state.__opsdeckRuntime) return state.__opsdeckRuntime;
  let loaded: LoadedConfig;
  try {
    loaded = getConfig();
  } catch (err) {
    if (err instanceof ConfigError) fatal(err.message);
    throw err;
  }
  let db;
  try {
    db = getDb();
  } catch (err) {
    if (err instanceof DataDirError) fatal(err.message);
    fatal(`Cannot open the database in ${env.OPSDECK_DATA_DIR}: ${(err as Error).message}`);
  }
  getSessionSecret();
  try {
    ensureAuditKey(db);
  } catch (err) {
    if (err instanceof AuditKeyError || err instanceof AuditCheckpointError) fatal(err.message);
    throw err;
  }
  await ensureFirstAdmin(db);

  let engine: EngineHost;
  try {
    engine = await EngineHost.start({ db, config: getConfig });
  } catch (err) {
    fatal(`The engine thread did not start: ${(err as Error).message}`);
  }
  if (env.NODE_ENV === "production" && !secureCookies()) {
    logger.warn("OPSDECK_URL is not https: session cookies are sent without the Secure flag");
  }
  logger.info(
    {
      context: {
        config: loaded.file,
        environments: loaded.config.environments.length,
        services: loaded.config.services.length,
      },
    },
    "Opsdeck started",
  );

  const runtime: Runtime = {
    startedAt: new Date(),
    engine,
    shutdown: (timeoutMs) => engine.shutdown(timeoutMs),
    close() {
      closeDb();
    },
  };
  state.__opsdeckRuntime = runtime;
  return runtime;
}
