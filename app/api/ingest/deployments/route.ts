// POST /api/ingest/deployments — record a deploy from CI (bearer token per integration)
import { deploymentReport } from "@/lib/schemas/deployments";
import { getConfig } from "@/server/config";
import { INGEST_RATE_LIMIT } from "@/server/http/ingest-limit";
import { apiRoute } from "@/server/http/route";
import { recordDeployment } from "@/server/services/deployments/record-deployment";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "deployments.ingest",
  auth: {
    bearer: () =>
      getConfig().config.integrations.map((i) => ({
        actor: `integration:${i.id}`,
        token: i.token.reveal(),
        scope: { services: i.services, environments: i.environments },
      })),
    openWhenUnset: false,
    actor: "integration",
  },
  rateLimit: INGEST_RATE_LIMIT,
  body: deploymentReport,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, call }) => {
    const result = await call(recordDeployment, body);
    return Response.json(
      { id: result.id },
      { status: result.created ? 201 : 200, headers: { "cache-control": "no-store" } },
    );
  },
});
