import "server-only";
import { and, eq } from "drizzle-orm";
import { deploymentReport } from "@/lib/schemas/deployments";
import { getConfig } from "@/server/config";
import { deployments } from "@/server/db/schema";
import { upsertDeployment } from "@/server/deployments/record";
import { recordAudit } from "@/server/audit/write";
import { auditActor, defineService, ServiceError } from "@/server/services/service";

/**
 * Records a deployment reported by CI (or updates the record it already is). An
 * integration scoped to some services or environments may report only those.
 */
export const recordDeployment = defineService({
  name: "deployments.ingest",
  role: "admin",
  integrations: true,
  input: deploymentReport,
  run(ctx, input) {
    const { config } = getConfig();
    const service = config.services.find((s) => s.id === input.service);
    if (!service)
      throw new ServiceError(400, `Invalid body: unknown service "${input.service}"`, [
        { path: "service", message: `unknown service "${input.service}"` },
      ]);
    if (!service.environments[input.environment]) {
      const message = `service ${input.service} has no environment "${input.environment}"`;
      throw new ServiceError(400, `Invalid body: ${message}`, [{ path: "environment", message }]);
    }
    const integration = ctx.actor.kind === "integration" ? ctx.actor : undefined;
    const scope = integration?.scope;
    if (
      scope &&
      ((scope.services.length > 0 && !scope.services.includes(input.service)) ||
        (scope.environments.length > 0 && !scope.environments.includes(input.environment)))
    ) {
      recordAudit(ctx.db, auditActor(ctx.actor), ctx.meta, {
        action: "deployments.ingest",
        outcome: "denied",
        targetType: "deployment",
        details: {
          reason: "out_of_scope",
          service: input.service,
          environment: input.environment,
          scope,
        },
      });
      throw new ServiceError(
        403,
        `The token of ${integration!.name.replace(/^integration:/, "")} may not report ${input.service}/${input.environment}.`,
      );
    }
    // Without an external id, version and start time are what identify a record; two runs
    // with different ids cannot both claim the same one.
    const startedAt = new Date(input.startedAt ?? Date.now());
    const clash = input.externalId
      ? ctx.db
          .select({ externalId: deployments.externalId })
          .from(deployments)
          .where(
            and(
              eq(deployments.service, input.service),
              eq(deployments.environment, input.environment),
              eq(deployments.version, input.version),
              eq(deployments.startedAt, startedAt),
            ),
          )
          .get()
      : undefined;
    if (clash && clash.externalId !== input.externalId)
      throw new ServiceError(
        409,
        `A deployment of ${input.version} to ${input.service}/${input.environment} started at ${startedAt.toISOString()} is already recorded${clash.externalId ? ` as ${clash.externalId}` : ""}; send that externalId to update it, or a different startedAt.`,
      );
    const result = ctx.commit(
      (r: { deployment: { id: number }; created: boolean }) => ({
        action: "deployments.ingest",
        targetType: "deployment",
        targetId: r.deployment.id,
        details: {
          service: input.service,
          environment: input.environment,
          version: input.version,
          status: input.status,
          created: r.created,
        },
      }),
      (tx) =>
        upsertDeployment(tx, {
          service: input.service,
          environment: input.environment,
          version: input.version,
          status: input.status,
          startedAt,
          finishedAt: input.finishedAt
            ? new Date(input.finishedAt)
            : input.status === "started"
              ? undefined
              : new Date(),
          commitSha: input.commitSha,
          committedAt: input.committedAt ? new Date(input.committedAt) : undefined,
          url: input.url,
          author: input.author,
          message: input.message,
          externalId: input.externalId,
          source: "ci",
          reportedBy: integration
            ? integration.name.replace(/^integration:/, "")
            : ctx.requester.name,
        }),
    );
    return { id: result.deployment.id, created: result.created };
  },
});
