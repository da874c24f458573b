import "server-only";
import { eq } from "drizzle-orm";
import type { DeployActionInput } from "@/lib/schemas/deployments";
import { getConfig } from "@/server/config";
import { deployments } from "@/server/db/schema";
import { enqueueOrRefuse } from "@/server/jobs/lock-conflict";
import { requestKey } from "@/server/jobs/queue";
import { ServiceError, type ServiceContext } from "@/server/services/service";
import { liveDeployment } from "./act";
import { providerFor } from "./providers/provider-for";
import type { DeployAction } from "./providers/types";
import "@/server/jobs/kinds";

/**
 * Checks a rollback or redeploy request and queues it. One lock per service and
 * environment: the same request again (double clicks, retries: same person, same
 * target) ends on the same job, so the provider is called once; any other request
 * while one runs is a 409 naming the running one.
 */
export function enqueueDeployAction(
  ctx: ServiceContext,
  input: DeployActionInput,
  action: DeployAction,
) {
  const target = ctx.db
    .select()
    .from(deployments)
    .where(eq(deployments.id, input.deploymentId))
    .get();
  if (!target) throw new ServiceError(404, `No deployment #${input.deploymentId}.`);
  const { config } = getConfig();
  const env = config.environments.find((e) => e.id === target.environment);
  const deploy = config.services.find((s) => s.id === target.service)?.environments[
    target.environment
  ]?.deploy;
  if (!env || !deploy)
    throw new ServiceError(
      409,
      `${target.service} in ${target.environment} has no deploy provider configured.`,
    );
  if (target.status !== "succeeded")
    throw new ServiceError(
      409,
      `Deployment #${target.id} did not succeed; only a successful deployment can be deployed again.`,
    );
  if (
    action === "rollback" &&
    liveDeployment(ctx, target.service, target.environment)?.id === target.id
  ) {
    throw new ServiceError(409, `${target.version} is what is live now.`);
  }
  const refusal = providerFor(deploy).cannot(action, target);
  if (refusal) throw new ServiceError(409, `Cannot ${action}: ${refusal}.`);
  if (env.protected && input.confirm?.trim() !== env.name && input.confirm?.trim() !== env.id) {
    throw new ServiceError(400, `Type the environment's name (${env.name}) to confirm.`, [
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
      const { job, created } = enqueueOrRefuse(tx, {
        kind: "deploy.action",
        params: { action, deploymentId: target.id },
        requestedBy: ctx.requester,
        lockKey: `deploy:${target.service}:${target.environment}`,
        idempotencyKey: requestKey(`deploy.${action}`, target.id, ctx.requester, input.requestKey),
      });
      return { jobId: job.id, created };
    },
  );
}
