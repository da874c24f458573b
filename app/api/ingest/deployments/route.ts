// POST /api/ingest/deployments — record a deploy from CI (bearer token per integration)
import { deploymentReport } from "@/lib/schemas/deployments";
import { getConfig } from "@/server/config";
import { upsertDeployment } from "@/server/deployments/record";
import { apiRoute, HttpError } from "@/server/http/route";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "deployments.ingest",
  auth: {
    bearer: () =>
      getConfig().config.integrations.map((i) => ({
        actor: `integration:${i.id}`,
        token: i.token.reveal(),
      })),
    openWhenUnset: false,
    actor: "integration",
  },
  body: deploymentReport,
  maxBodyBytes: 16 * 1024,
  handler: ({ body, commit }) => {
    const { config } = getConfig();
    const service = config.services.find((s) => s.id === body.service);
    const issues = [
      ...(service ? [] : [{ path: "service", message: `unknown service "${body.service}"` }]),
      ...(service && !service.environments[body.environment]
        ? [
            {
              path: "environment",
              message: `service ${body.service} has no environment "${body.environment}"`,
            },
          ]
        : []),
    ];
    if (issues.length) throw new HttpError(400, `Invalid body: ${issues[0]!.message}`, issues);
    const result = commit(
      {
        action: "deployments.ingest",
        targetType: "deployment",
        details: {
          service: body.service,
          environment: body.environment,
          version: body.version,
          status: body.status,
        },
      },
      (tx) =>
        upsertDeployment(tx, {
          service: body.service,
          environment: body.environment,
          version: body.version,
          status: body.status,
          startedAt: new Date(body.startedAt ?? Date.now()),
          finishedAt: body.finishedAt
            ? new Date(body.finishedAt)
            : body.status === "started"
              ? undefined
              : new Date(),
          commitSha: body.commitSha,
          committedAt: body.committedAt ? new Date(body.committedAt) : undefined,
          url: body.url,
          author: body.author,
          message: body.message,
          externalId: body.externalId,
          source: "ci",
          reportedBy: "ci",
        }),
    );
    return Response.json(
      { id: result.deployment.id },
      { status: result.created ? 201 : 200, headers: { "cache-control": "no-store" } },
    );
  },
});
