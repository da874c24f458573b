import "server-only";
import { and, desc, eq, ne } from "drizzle-orm";
import type { OpsdeckConfig } from "@/server/config/schema";
import { deployments, type Deployment } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";
import { OUTCOME_WORDS, type DeployOutcome } from "@/lib/deploy-outcome";
import { redactSecrets } from "@/server/secrets/redact";
import { providerFor } from "./providers/provider-for";
import type { DeployAction } from "./providers/types";
import { upsertDeployment } from "./record";
import { waitForHealthy } from "./verify-health";

export type DeployResult = {
  /** The outcomes a finished verification can have; "failed" and "interrupted" throw. */
  outcome: Extract<DeployOutcome, "healthy" | "unhealthy" | "unverified">;
  /** The outcome's word (lib/deploy-outcome.ts), as every page and message says it. */
  word: string;
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

/** Stores how a rollback or redeploy ended: the moment its notification is due. */
function settle(
  ctx: Pick<JobContext<unknown>, "db">,
  id: number,
  outcome: DeployOutcome,
  fields: Partial<Pick<Deployment, "status" | "finishedAt" | "providerStatus">> = {},
): void {
  ctx.db
    .update(deployments)
    .set({ ...fields, outcome, outcomeAt: new Date() })
    .where(eq(deployments.id, id))
    .run();
}

/**
 * A rollback or redeploy as one job: ask the provider, wait for the new deployment to
 * finish (recording it as it goes), then require the environment's monitors to pass
 * `verify.checks` checks in a row. The record's outcome (lib/deploy-outcome.ts) is stored
 * only when that is known: "healthy", "unhealthy" (deployed, but the checks did not pass
 * in time), "unverified" (deployed, but no active monitor checks the environment),
 * "failed" (with the provider's reason) or "interrupted".
 *
 * Cancel (or shutdown) while the provider works stops the command or the wait; the
 * record then says "interrupted" (status "unknown"): the platform may have gone on, so
 * the person must look.
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
      settle(ctx, record.id, "interrupted", {
        status: "unknown",
        finishedAt: new Date(),
        providerStatus: `${why} while the platform was deploying; check the platform for what is live`,
      });
      ctx.log("warn", `Stopped (${why}); check the platform for what is live before trying again.`);
      throw ctx.signal.reason;
    }
    const reason = err instanceof Error ? err.message : String(err);
    settle(ctx, record.id, "failed", {
      status: "failed",
      finishedAt: new Date(),
      providerStatus: redactSecrets(reason).slice(0, 500),
    });
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
    settle(ctx, record.id, "failed");
    throw new Error(
      `the ${action} did not succeed: the provider reports ${outcome.providerStatus ?? outcome.status}`,
    );
  }

  ctx.progress(60, "verifying health");
  const monitors = config.monitors.filter(
    (m) => m.service === target.service && m.environment === target.environment,
  );
  let verdict;
  try {
    verdict = await waitForHealthy(
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
  } catch (err) {
    // Deployed, and stopped while watching it: nobody knows whether it is healthy.
    settle(ctx, record.id, "interrupted", {
      providerStatus: `deployed; verification stopped (${err instanceof Error ? err.message : String(err)})`,
    });
    throw err;
  }
  const done = (result: DeployResult["outcome"], detail: string): DeployResult => {
    settle(ctx, record.id, result);
    const word = OUTCOME_WORDS[result];
    ctx.log(
      result === "healthy" ? "info" : "warn",
      `Outcome: ${word}${detail ? ` (${detail})` : ""}.`,
    );
    return { outcome: result, word, deploymentId: record.id, from, to, detail };
  };
  if (!verdict.verified) {
    const why = `no active monitor checks ${target.service} in ${target.environment}${
      verdict.paused.length > 0
        ? ` (${verdict.paused.join(", ")} ${verdict.paused.length === 1 ? "is" : "are all"} paused)`
        : ""
    }`;
    return done("unverified", why);
  }
  if (!verdict.healthy) return done("unhealthy", verdict.reason);
  return done("healthy", `every monitor passed ${env.verify.checks} checks in a row`);
}
