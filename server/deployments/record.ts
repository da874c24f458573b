import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { deployments, type Deployment, type DeployStatus } from "@/server/db/schema";
import { redactSecrets } from "@/server/secrets/redact";

export type DeploymentInput = {
  service: string;
  environment: string;
  version: string;
  status: DeployStatus;
  startedAt: Date;
  commitSha?: string | null;
  committedAt?: Date | null;
  finishedAt?: Date | null;
  url?: string | null;
  author?: string | null;
  message?: string | null;
  externalId?: string | null;
  providerStatus?: string | null;
  rollbackOf?: number | null;
  canRollback?: boolean | null;
  source: Deployment["source"];
  reportedBy: string;
};

/**
 * Inserts a deployment, or updates the one it already is: the same external id (or,
 * without one, the same service, environment, version and start time). Fields the new
 * report leaves out keep their old values, so "started" then "succeeded" make one record.
 */
export function upsertDeployment(
  tx: DbOrTx,
  input: DeploymentInput,
): { deployment: Deployment; created: boolean } {
  const scope = and(
    eq(deployments.service, input.service),
    eq(deployments.environment, input.environment),
  );
  const existing = input.externalId
    ? tx
        .select()
        .from(deployments)
        .where(and(scope, eq(deployments.externalId, input.externalId)))
        .get()
    : tx
        .select()
        .from(deployments)
        .where(
          and(
            scope,
            eq(deployments.version, input.version),
            eq(deployments.startedAt, input.startedAt),
          ),
        )
        .get();
  // What CI, a platform or a provider says is shown to every viewer.
  for (const key of ["message", "providerStatus", "author", "url"] as const) {
    const text = input[key];
    if (text) input = { ...input, [key]: redactSecrets(text) };
  }
  const defined = Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== undefined),
  ) as Partial<DeploymentInput>;
  if (existing) {
    // A finished deployment does not go back to "started" because a late report arrives.
    if (existing.status !== "started" && defined.status === "started") delete defined.status;
    const deployment = tx
      .update(deployments)
      .set(defined)
      .where(eq(deployments.id, existing.id))
      .returning()
      .get();
    return { deployment, created: false };
  }
  const deployment = tx.insert(deployments).values(input).returning().get();
  return { deployment, created: true };
}
