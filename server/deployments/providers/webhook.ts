import "server-only";
import { createHmac } from "node:crypto";
import { and, desc, eq, gte } from "drizzle-orm";
import type { DeployTargetConfig } from "@/server/config/schema";
import { deployments } from "@/server/db/schema";
import type { DeployProvider } from "./types";

type WebhookConfig = Extract<DeployTargetConfig, { provider: "webhook" }>;

/** The signature header a receiver checks: HMAC-SHA256 of "<timestamp>.<body>" with the shared secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * POSTs a signed request to deploy (e.g. to start a CI workflow), then waits for CI to
 * report, through POST /api/ingest/deployments, a deployment of the target version that
 * started after the request and has finished.
 */
export function webhookProvider(config: WebhookConfig): DeployProvider {
  return {
    cannot: () => null,
    async deploy(ctx, action, target, deadline) {
      const asked = new Date();
      const body = JSON.stringify({
        action,
        service: target.service,
        environment: target.environment,
        target: {
          id: target.id,
          version: target.version,
          commitSha: target.commitSha,
          externalId: target.externalId,
        },
        requestedAt: asked.toISOString(),
      });
      const timestamp = String(Math.floor(asked.getTime() / 1000));
      let res: Response;
      try {
        res = await fetch(config.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-opsdeck-timestamp": timestamp,
            "x-opsdeck-signature": signWebhook(config.secret.reveal(), timestamp, body),
          },
          body,
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(config.timeout)]),
        });
      } catch (err) {
        throw new Error(
          `the deploy webhook could not be reached (${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`,
        );
      }
      if (!res.ok) throw new Error(`the deploy webhook answered HTTP ${res.status}`);
      ctx.log(
        "info",
        `The webhook accepted the request (HTTP ${res.status}); waiting for CI to report ${target.version}.`,
      );
      while (Date.now() < deadline) {
        if (ctx.signal.aborted) throw new Error("aborted");
        const reported = ctx.db
          .select()
          .from(deployments)
          .where(
            and(
              eq(deployments.service, target.service),
              eq(deployments.environment, target.environment),
              eq(deployments.version, target.version),
              eq(deployments.source, "ci"),
              gte(deployments.startedAt, new Date(asked.getTime() - 60_000)),
            ),
          )
          .orderBy(desc(deployments.startedAt))
          .get();
        if (reported && reported.status !== "started") {
          return {
            status: reported.status,
            externalId: reported.externalId,
            providerStatus: `reported by CI`,
            finishedAt: reported.finishedAt ?? new Date(),
          };
        }
        await new Promise((r) => setTimeout(r, 2_000));
      }
      throw new Error(
        `CI did not report a finished deployment of ${target.version} before the timeout`,
      );
    },
  };
}
