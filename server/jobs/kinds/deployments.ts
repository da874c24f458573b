import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/server/audit/write";
import { getConfig } from "@/server/config";
import { runDeployAction } from "@/server/deployments/act";
import { syncPlatformDeployments } from "@/server/deployments/sync";
import { deployments, jobs } from "@/server/db/schema";
import { JobCanceled } from "../abort";
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
      // Unverified is a success of the deploy, recorded as such: the audit row says so.
      audit(
        result.outcome === "succeeded" || result.outcome === "unverified" ? "success" : "failure",
        {
          outcome: result.outcome,
          detail: result.detail,
          deploymentId: result.deploymentId,
        },
      );
      if (result.outcome === "unhealthy")
        throw new Error(`deployed ${target.version}, but unhealthy: ${result.detail}`);
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof JobCanceled) audit("failure", { outcome: "canceled", detail: message });
      else if (!message.startsWith("deployed "))
        audit("failure", { outcome: "failed", detail: message });
      throw err;
    }
  },
});

export const deploySyncJob = defineJobKind({
  kind: "deploy.sync",
  title: "Read platform deployments",
  params: z.strictObject({}),
  run: (ctx) => syncPlatformDeployments(ctx, getConfig().config),
});
