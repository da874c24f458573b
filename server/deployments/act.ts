import "server-only";
import { and, desc, eq, ne } from "drizzle-orm";
import type { OpsdeckConfig } from "@/server/config/schema";
import { deployments, type Deployment } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";
import { redactSecrets } from "@/server/secrets/redact";
import { providerFor } from "./providers/provider-for";
import type { DeployAction } from "./providers/types";
import { upsertDeployment } from "./record";
import { waitForHealthy } from "./verify-health";

export type DeployResult = {
  /** "unverified": deployed, but no active monitor checked it. */
  outcome: "succeeded" | "failed" | "unhealthy" | "unverified";
  deploymentId: number;
  from: { id: number; version: string } | null;
  to: { id: number; version: string };
  detail: string;
};

const PROVIDER_TIMEOUT_MS = 15 * 60_000;

/** The deployment live now in an environment: the newest that succeeded. */
export function liveDeployment(
  ctx: Pick<JobContext<unknown>, "db">,
  service: string,
  environment: string,
): Deployment | undefined {
  return ctx.db
    .select()
    .from(deployments)
    .where(
      and(
        eq(deployments.service, service),
        eq(deployments.environment, environment),
        eq(deployments.status, "succeeded"),
      ),
    )
    .orderBy(desc(deployments.startedAt))
    .get();
}

/**
 * A rollback or redeploy as one job: ask the provider, wait for the new deployment to
 * finish (recording it as it goes), then require the environment's monitors to pass
 * `verify.checks` checks in a row. The outcome is "succeeded", "failed" (with the
 * provider's reason), "unhealthy" (deployed, but the checks did not pass in time) or
 * "unverified" (deployed, but no active monitor checks the environment).
 *
 * Cancel (or shutdown) while the provider works stops the command or the wait; the
 * record then says "unknown": the platform may have gone on, so the person must look.
 */
export async function runDeployAction(
  ctx: JobContext<unknown>,
  config: OpsdeckConfig,
  action: DeployAction,
  target: Deployment,
  requestedBy: string,
): Promise<DeployResult> {
  const service = config.services.find((s) => s.id === target.service);
  const env = service?.environments[target.environment];
  if (!env?.deploy)
    throw new Error(`${target.service} in ${target.environment} has no deploy provider configured`);
  const provider = providerFor(env.deploy);
  const refusal = provider.cannot(action, target);
  if (refusal) throw new Error(refusal);

  const live = liveDeployment(ctx, target.service, target.environment);
  ctx.log(
    "info",
    `Live now: ${live ? `${live.version} (deployment #${live.id})` : "unknown"}. After: ${target.version} (deployment #${target.id}).`,
  );
  ctx.progress(5, `${action} to ${target.version}`);

  // Canceled while queued for the provider: nothing has been asked of the platform yet.
  ctx.signal.throwIfAborted();
  const started = new Date();
  // Recorded at once, so the timeline shows the rollback while it runs.
  const record = ctx.db.transaction(
    (tx) =>
      upsertDeployment(tx, {
        service: target.service,
        environment: target.environment,
        version: target.version,
        commitSha: target.commitSha,
        committedAt: target.committedAt,
        status: "started",
        startedAt: started,
        author: requestedBy,
        message: `${action === "rollback" ? "Rollback" : "Redeploy"} of deployment #${target.id} (${target.version}) from Opsdeck`,
        source: "opsdeck",
        rollbackOf: action === "rollback" ? target.id : null,
        reportedBy: requestedBy,
      }).deployment,
    { behavior: "immediate" },
  );

  let outcome;
  try {
    outcome = await provider.deploy(ctx, action, target, Date.now() + PROVIDER_TIMEOUT_MS);
    ctx.signal.throwIfAborted();
  } catch (err) {
    if (ctx.signal.aborted) {
      const why = ctx.signal.reason instanceof Error ? ctx.signal.reason.message : "stopped";
      ctx.db
        .update(deployments)
        .set({
          status: "unknown",
          finishedAt: new Date(),
          providerStatus: `${why} while the platform was deploying; check the platform for what is live`,
        })
        .where(eq(deployments.id, record.id))
        .run();
      ctx.log("warn", `Stopped (${why}); check the platform for what is live before trying again.`);
      throw ctx.signal.reason;
    }
    const reason = err instanceof Error ? err.message : String(err);
    ctx.db
      .update(deployments)
      .set({
        status: "failed",
        finishedAt: new Date(),
        providerStatus: redactSecrets(reason).slice(0, 500),
      })
      .where(eq(deployments.id, record.id))
      .run();
    throw err;
  }
  ctx.db
    .update(deployments)
    .set({
      status: outcome.status,
      finishedAt: outcome.finishedAt,
      externalId: outcome.externalId ?? record.externalId,
      providerStatus: outcome.providerStatus && redactSecrets(outcome.providerStatus),
    })
    .where(eq(deployments.id, record.id))
    .run();
  // A platform that reported the same new deployment through the poller keeps one record.
  if (outcome.externalId) {
    ctx.db
      .delete(deployments)
      .where(
        and(
          eq(deployments.externalId, outcome.externalId),
          eq(deployments.service, target.service),
          ne(deployments.id, record.id),
        ),
      )
      .run();
  }
  const to = { id: record.id, version: target.version };
  const from = live ? { id: live.id, version: live.version } : null;
  if (outcome.status !== "succeeded") {
    throw new Error(
      `the ${action} did not succeed: the provider reports ${outcome.providerStatus ?? outcome.status}`,
    );
  }

  ctx.progress(60, "verifying health");
  const monitors = config.monitors.filter(
    (m) => m.service === target.service && m.environment === target.environment,
  );
  const verdict = await waitForHealthy(
    ctx.db,
    monitors,
    outcome.finishedAt,
    env.verify.checks,
    Date.now() + env.verify.timeout,
    {
      signal: ctx.signal,
      onStart: (names) =>
        ctx.log(
          "info",
          `Deployed. Waiting for ${names.length === 1 ? "1 monitor" : `${names.length} monitors`} (${names.join(", ")}) to pass ${env.verify.checks} checks in a row…`,
        ),
      onProgress: (text) => ctx.progress(75, text),
    },
  );
  if (!verdict.verified) {
    const why = `no active monitor checks ${target.service} in ${target.environment}${
      verdict.paused.length > 0
        ? ` (${verdict.paused.join(", ")} ${verdict.paused.length === 1 ? "is" : "are all"} paused)`
        : ""
    }`;
    ctx.log("warn", `Deployed, not verified: ${why}.`);
    return {
      outcome: "unverified",
      deploymentId: record.id,
      from,
      to,
      detail: `deployed, not verified: ${why}`,
    };
  }
  if (!verdict.healthy) {
    ctx.log("warn", `Deployed, but unhealthy: ${verdict.reason}.`);
    return { outcome: "unhealthy", deploymentId: record.id, from, to, detail: verdict.reason };
  }
  ctx.log("info", `Healthy: every monitor passed ${env.verify.checks} checks in a row.`);
  return {
    outcome: "succeeded",
    deploymentId: record.id,
    from,
    to,
    detail: "deployed and healthy",
  };
}
