import "server-only";
import { eq } from "drizzle-orm";
import type { DeployActionInput } from "@/lib/schemas/deployments";
import { ActionError, type ActionContext } from "@/server/auth/action";
import { getConfig } from "@/server/config";
import { deployments } from "@/server/db/schema";
import { enqueueJob } from "@/server/jobs/queue";
import { liveDeployment } from "./act";
import { providerFor } from "./providers/provider-for";
import type { DeployAction } from "./providers/types";
import "@/server/jobs/kinds";

/**
 * Checks a rollback or redeploy request and queues it. One lock per service and
 * environment, plus the request's idempotency key: double clicks, two people at once
 * and retries all end on the same job, so the provider is called once.
 */
export function enqueueDeployAction(
  ctx: ActionContext,
  input: DeployActionInput,
  action: DeployAction,
) {
  const target = ctx.db
    .select()
    .from(deployments)
    .where(eq(deployments.id, input.deploymentId))
    .get();
  if (!target) throw new ActionError(404, `No deployment #${input.deploymentId}.`);
  const { config } = getConfig();
  const env = config.environments.find((e) => e.id === target.environment);
  const deploy = config.services.find((s) => s.id === target.service)?.environments[
    target.environment
  ]?.deploy;
  if (!env || !deploy)
    throw new ActionError(
      409,
      `${target.service} in ${target.environment} has no deploy provider configured.`,
    );
  if (target.status !== "succeeded")
    throw new ActionError(
      409,
      `Deployment #${target.id} did not succeed; only a successful deployment can be deployed again.`,
    );
  if (
    action === "rollback" &&
    liveDeployment(ctx, target.service, target.environment)?.id === target.id
  ) {
    throw new ActionError(409, `${target.version} is what is live now.`);
  }
  const refusal = providerFor(deploy).cannot(action, target);
  if (refusal) throw new ActionError(409, `Cannot ${action}: ${refusal}.`);
  if (env.protected && input.confirm?.trim() !== env.name && input.confirm?.trim() !== env.id) {
    throw new ActionError(400, `Type the environment's name (${env.name}) to confirm.`, [
      { path: "confirm", message: `Type ${env.name} to confirm` },
    ]);
  }
  return ctx.commit(
    (r: { jobId: number; created: boolean }) => ({
      action: `deployments.${action}`,
      targetType: "deployment",
      targetId: target.id,
      details: {
        service: target.service,
        environment: target.environment,
        version: target.version,
        jobId: r.jobId,
        alreadyRunning: !r.created,
      },
    }),
    (tx) => {
      const { job, created } = enqueueJob(tx, {
        kind: "deploy.action",
        params: { action, deploymentId: target.id },
        requestedBy: { id: ctx.user.id, name: ctx.user.email },
        lockKey: `deploy:${target.service}:${target.environment}`,
        idempotencyKey: input.requestKey ? `deploy:${input.requestKey}` : undefined,
      });
      return { jobId: job.id, created };
    },
  );
}
