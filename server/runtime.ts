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
import "@/server/jobs/kinds";
import { JobRunner, newRunnerId } from "@/server/jobs/runner";
import { logger } from "@/server/logger";
import { Scheduler, type Schedule } from "@/server/scheduler";
import { alertEvaluationHistogram, latenessHistogram } from "@/server/metrics";
import { AlertEngine } from "@/server/alerts/engine";
import { hasDigestRoutes } from "@/server/alerts/digest";
import { closeTransports } from "@/server/alerts/channels/email";
import { MonitorEngine } from "@/server/monitors/engine";
import { CheckRecorder } from "@/server/monitors/recorder";
import { recoverInterruptedBackups } from "@/server/backups/recover";
import { recoverInterruptedDeploys } from "@/server/deployments/recover";

export type Runtime = {
  startedAt: Date;
  runner: JobRunner;
  scheduler: Scheduler;
  monitors: MonitorEngine;
  alerts: AlertEngine;
  shutdown(timeoutMs: number): Promise<void>;
  close(): void;
};

const state = globalThis as unknown as { __opsdeckRuntime?: Runtime };

export function getRuntime(): Runtime | undefined {
  return state.__opsdeckRuntime;
}

/** Every scheduled job, from the config. */
export function schedulesFrom(config: LoadedConfig["config"]): Schedule[] {
  return [
    { name: "maintenance", cron: config.housekeeping.schedule, kind: "db.maintenance", params: {} },
    { name: "uptime-retention", cron: "0 4 * * *", kind: "uptime.retention", params: {} },
    ...(config.housekeeping.auditArchive.schedule
      ? [
          {
            name: "audit-archive",
            cron: config.housekeeping.auditArchive.schedule,
            kind: "audit.archive",
            params: {},
            // The lock of a by-hand archive too: never two at once.
            lockKey: "audit.archive",
          },
        ]
      : []),
    ...(config.services.some((s) =>
      Object.values(s.environments).some((e) => e.deploy?.provider === "railway"),
    )
      ? [
          {
            name: "deploy-sync",
            cron: "* * * * *",
            kind: "deploy.sync",
            params: {},
            runWhenNew: true,
          },
        ]
      : []),
    ...(hasDigestRoutes(config)
      ? [
          {
            name: "alerts-digest",
            cron: config.alerts.digest.schedule,
            kind: "alerts.digest",
            params: {},
          },
        ]
      : []),
    ...config.backups.flatMap((b): Schedule[] =>
      b.source.type === "external"
        ? []
        : [
            {
              name: `backup:${b.id}`,
              cron: b.schedule,
              kind: "backup.run",
              params: { backup: b.id, kind: "scheduled" },
              lockKey: `backup:${b.id}`,
              runWhenNew: true,
            },
            ...(b.restoreDrill
              ? [
                  {
                    name: `drill:${b.id}`,
                    cron: b.restoreDrill,
                    kind: "backup.drill",
                    params: { backup: b.id },
                    lockKey: `backup:${b.id}`,
                  },
                ]
              : []),
          ],
    ),
  ];
}

/** Applies a (re)loaded config to the running parts. */
export function applyConfig(runtime: Runtime, config: LoadedConfig["config"]): void {
  runtime.scheduler.setSchedules(schedulesFrom(config));
  runtime.monitors.setMonitors(config.monitors, config.maintenanceWindows);
  runtime.alerts.setConfig(config);
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
 * data directory and migrations, session key, audit key, first admin, then the job runner
 * (which first marks jobs of a dead process interrupted) and the scheduler.
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

  const id = newRunnerId();
  const runner = new JobRunner(db, { concurrency: env.OPSDECK_JOB_CONCURRENCY, runnerId: id });
  const scheduler = new Scheduler(db, id);
  const onError = (err: unknown) => logger.error({ error: err }, "uptime monitoring failed");
  const alertEval = alertEvaluationHistogram();
  const alerts = new AlertEngine(db, loaded.config, {
    isLeader: () => scheduler.isLeader,
    onEvaluated: (seconds) => alertEval.observe(seconds),
  });
  const recorder = new CheckRecorder(db, { onError });
  const lateness = latenessHistogram();
  const monitors = new MonitorEngine(db, recorder, {
    isLeader: () => scheduler.isLeader,
    onLateness: (ms) => lateness.observe(ms / 1000),
    onError,
  });
  // Clean up after a crash before any job can start: orphaned jobs first, then their
  // backups and half-written files (a new backup's files must not be swept away).
  runner.recoverOrphans();
  const interrupted = await recoverInterruptedBackups(db, loaded.config.backups);
  const deploys = recoverInterruptedDeploys(db);
  if (deploys > 0)
    logger.warn({ context: { deployments: deploys } }, "marked interrupted rollbacks unknown");
  if (interrupted > 0)
    logger.warn({ context: { backups: interrupted } }, "marked interrupted backups failed");
  runner.start();
  scheduler.start();
  recorder.start();
  monitors.start();
  alerts.start();
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
    runner,
    scheduler,
    monitors,
    alerts,
    async shutdown(timeoutMs) {
      await monitors.stop();
      recorder.stop();
      await alerts.stop();
      closeTransports();
      scheduler.stop();
      const { finished, interrupted } = await runner.stop(timeoutMs);
      logger.info({ context: { finished, interrupted } }, "job runner stopped");
    },
    close() {
      closeDb();
    },
  };
  applyConfig(runtime, loaded.config);
  state.__opsdeckRuntime = runtime;
  return runtime;
}
