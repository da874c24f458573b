import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/server/audit/write";
import { OUTCOME_WORDS } from "@/lib/deploy-outcome";
import { getConfig } from "@/server/config";
import { runDeployAction } from "@/server/deployments/act";
import { syncPlatformDeployments } from "@/server/deployments/sync";
import { deployments, jobs } from "@/server/db/schema";
import { JobLost } from "../abort";
import { defineJobKind } from "../registry";

export const deployActionJob = defineJobKind({
  kind: "deploy.action",
  title: "Roll back / redeploy",
  params: z.strictObject({
    action: z.enum(["rollback", "redeploy"]),
    deploymentId: z.number().int().positive(),
  }),
  describe(p, db) {
    const target = db
      .select({ version: deployments.version })
      .from(deployments)
      .where(eq(deployments.id, p.deploymentId))
      .get();
    return `${p.action} to ${target?.version ?? `deployment #${p.deploymentId}`}`;
  },
  async run(ctx) {
    const target = ctx.db
      .select()
      .from(deployments)
      .where(eq(deployments.id, ctx.params.deploymentId))
      .get();
    if (!target) throw new Error(`no deployment #${ctx.params.deploymentId}`);
    const job = ctx.db.select().from(jobs).where(eq(jobs.id, ctx.jobId)).get();
    const actor = {
      id: job?.requestedBy ?? null,
      name: job?.requestedByName ?? "system",
      role: null,
    };
    const meta = { ip: null, userAgent: null, requestId: `job-${ctx.jobId}` };
    const audit = (outcome: "success" | "failure", details: Record<string, unknown>) =>
      recordAudit(ctx.db, actor, meta, {
        action: `deployments.${ctx.params.action}_completed`,
        outcome,
        targetType: "deployment",
        targetId: target.id,
        details: {
          service: target.service,
          environment: target.environment,
          version: target.version,
          ...details,
        },
      });
    try {
      const result = await runDeployAction(
        ctx,
        getConfig().config,
        ctx.params.action,
        target,
        actor.name,
      );
      // Not verified is a success of the deploy, recorded as such: the outcome says the rest.
      audit(result.outcome === "unhealthy" ? "failure" : "success", {
        outcome: result.outcome,
        detail: `${result.word}: ${result.detail}`,
        deploymentId: result.deploymentId,
      });
      if (result.outcome === "unhealthy")
        throw new DeployUnhealthy(`${result.word}: ${result.detail}`);
      return result;
    } catch (err) {
      // A job taken over by another runner writes nothing more.
      if (err instanceof DeployUnhealthy || ctx.signal.reason instanceof JobLost) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const outcome = ctx.signal.aborted ? "interrupted" : "failed";
      audit("failure", { outcome, detail: `${OUTCOME_WORDS[outcome]}: ${message}` });
      if (outcome === "failed") throw new Error(`${OUTCOME_WORDS.failed}: ${message}`);
      throw err;
    }
  },
});

/** The job fails with the outcome's words; the record and audit row are already written. */
class DeployUnhealthy extends Error {}

export const deploySyncJob = defineJobKind({
  kind: "deploy.sync",
  title: "Read platform deployments",
  params: z.strictObject({}),
  run: (ctx) => syncPlatformDeployments(ctx, getConfig().config),
});
