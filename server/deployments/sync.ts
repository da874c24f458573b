import "server-only";
import { and, eq } from "drizzle-orm";
import type { OpsdeckConfig } from "@/server/config/schema";
import { deployments } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";
import { providerFor } from "./providers/provider-for";
import { upsertDeployment } from "./record";

/**
 * Reads each platform's deployment list and records what it says, so deploys made
 * outside CI (from the platform's dashboard, say) are in the history too.
 */
export async function syncPlatformDeployments(ctx: JobContext<unknown>, config: OpsdeckConfig) {
  const summary: Record<string, number | string> = {};
  for (const service of config.services) {
    for (const [environment, target] of Object.entries(service.environments)) {
      if (!target.deploy) continue;
      const provider = providerFor(target.deploy);
      if (!provider.list) continue;
      const key = `${service.id}/${environment}`;
      try {
        const seen = await provider.list(ctx.signal);
        ctx.db.transaction(
          (tx) => {
            for (const d of [...seen].reverse()) {
              const rollbackOf = d.rollbackOf
                ? tx
                    .select({ id: deployments.id })
                    .from(deployments)
                    .where(
                      and(
                        eq(deployments.service, service.id),
                        eq(deployments.environment, environment),
                        eq(deployments.externalId, d.rollbackOf),
                      ),
                    )
                    .get()?.id
                : undefined;
              upsertDeployment(tx, {
                service: service.id,
                environment,
                version: d.version,
                commitSha: d.commitSha,
                status: d.status,
                providerStatus: d.providerStatus,
                startedAt: d.startedAt,
                finishedAt: d.finishedAt,
                author: d.author,
                message: d.message,
                url: d.url,
                externalId: d.externalId,
                canRollback: d.canRollback,
                rollbackOf,
                source: "platform",
                reportedBy: target.deploy!.provider,
              });
            }
          },
          { behavior: "immediate" },
        );
        summary[key] = seen.length;
      } catch (err) {
        // One unreachable platform does not stop the others.
        summary[key] = (err as Error).message;
        ctx.log("warn", `${key}: ${(err as Error).message}`);
      }
    }
  }
  return summary;
}
