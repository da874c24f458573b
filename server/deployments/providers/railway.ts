import "server-only";
import type { DeployTargetConfig } from "@/server/config/schema";
import type { Deployment, DeployStatus } from "@/server/db/schema";
import type { ActionOutcome, DeployAction, DeployProvider, PlatformDeployment } from "./types";

type RailwayConfig = Extract<DeployTargetConfig, { provider: "railway" }>;

/** Railway's statuses in Opsdeck's four; anything else is "unknown", never success. */
export function mapRailwayStatus(status: string): DeployStatus {
  switch (status) {
    case "SUCCESS":
    case "SLEEPING":
    case "REMOVED":
    case "REMOVING":
      return "succeeded";
    case "FAILED":
    case "CRASHED":
    case "SKIPPED":
      return "failed";
    case "BUILDING":
    case "DEPLOYING":
    case "INITIALIZING":
    case "QUEUED":
    case "WAITING":
    case "NEEDS_APPROVAL":
      return "started";
    default:
      return "unknown";
  }
}

const FINISHED = new Set(["SUCCESS", "FAILED", "CRASHED", "SKIPPED", "REMOVED", "SLEEPING"]);

export class RailwayError extends Error {}

type Gql = <T>(
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
) => Promise<T>;

/**
 * A GraphQL call to Railway. HTTP errors, timeouts and a 200 carrying `errors` are all
 * failures with the reason in words; a 429 is retried after Retry-After (up to 3 times).
 */
export function railwayClient(config: RailwayConfig, fetchImpl: typeof fetch = fetch): Gql {
  return async function gql<T>(
    query: string,
    variables: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetchImpl(config.endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${config.token.reveal()}`,
          },
          body: JSON.stringify({ query, variables }),
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(30_000)])
            : AbortSignal.timeout(30_000),
        });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        throw new RailwayError(
          e.name === "TimeoutError"
            ? "Railway did not answer within 30 s"
            : `cannot reach Railway (${e.cause?.code ?? e.message})`,
        );
      }
      if (res.status === 429 && attempt < 3) {
        const wait = Math.min(Number(res.headers.get("retry-after")) || 2 ** attempt, 60);
        await new Promise((r) => setTimeout(r, wait * 1000));
        continue;
      }
      if (res.status === 429)
        throw new RailwayError("Railway's rate limit was reached; try again shortly");
      if (!res.ok) throw new RailwayError(`Railway answered HTTP ${res.status}`);
      let body: { data?: T; errors?: { message?: string }[] };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new RailwayError("Railway's answer was not JSON");
      }
      if (body.errors?.length) {
        throw new RailwayError(
          `Railway refused: ${body.errors.map((e) => e.message ?? "error").join("; ")}`,
        );
      }
      if (!body.data) throw new RailwayError("Railway's answer had no data");
      return body.data;
    }
  };
}

const DEPLOYMENT_FIELDS =
  "id status createdAt updatedAt statusUpdatedAt meta canRollback canRedeploy url staticUrl creator { name email }";

type RailwayNode = {
  id: string;
  status: string;
  createdAt: string;
  statusUpdatedAt?: string | null;
  updatedAt: string;
  meta?: Record<string, unknown> | null;
  canRollback: boolean;
  url?: string | null;
  staticUrl?: string | null;
  creator?: { name?: string | null; email?: string | null } | null;
};

function toPlatform(n: RailwayNode): PlatformDeployment {
  const meta = n.meta ?? {};
  const str = (v: unknown) => (typeof v === "string" && v ? v : null);
  const commit = str(meta.commitHash);
  return {
    externalId: n.id,
    status: mapRailwayStatus(n.status),
    providerStatus: n.status,
    version: str(meta.version) ?? (commit ? commit.slice(0, 7) : n.id.slice(0, 8)),
    commitSha: commit,
    author: n.creator?.name ?? n.creator?.email ?? str(meta.commitAuthor),
    message: str(meta.commitMessage),
    url: n.url ?? (n.staticUrl ? `https://${n.staticUrl}` : null),
    startedAt: new Date(n.createdAt),
    finishedAt: FINISHED.has(n.status) ? new Date(n.statusUpdatedAt ?? n.updatedAt) : null,
    canRollback: n.canRollback,
    rollbackOf: str(meta.rollbackOf),
  };
}

export function railwayProvider(config: RailwayConfig, fetchImpl?: typeof fetch): DeployProvider {
  const gql = railwayClient(config, fetchImpl);

  async function list(signal?: AbortSignal): Promise<PlatformDeployment[]> {
    const data = await gql<{ deployments: { edges: { node: RailwayNode }[] } }>(
      `query Deployments($input: DeploymentListInput!, $first: Int) { deployments(input: $input, first: $first) { edges { node { ${DEPLOYMENT_FIELDS} } } } }`,
      {
        input: {
          projectId: config.projectId,
          serviceId: config.serviceId,
          environmentId: config.environmentId,
        },
        first: 50,
      },
      signal,
    );
    return data.deployments.edges.map((e) => toPlatform(e.node));
  }

  return {
    list,
    cannot(action, target) {
      if (!target.externalId || target.source === "ci")
        return "Railway does not know this deployment (it was reported by CI)";
      if (action === "rollback" && target.canRollback === false)
        return "Railway says this deployment can no longer be rolled back (it is past the plan's retention)";
      return null;
    },
    async deploy(
      ctx,
      action: DeployAction,
      target: Deployment,
      deadline: number,
    ): Promise<ActionOutcome> {
      const before = new Set((await list(ctx.signal)).map((d) => d.externalId));
      ctx.log(
        "info",
        `Asking Railway to ${action === "rollback" ? "roll back to" : "redeploy"} deployment ${target.externalId}…`,
      );
      if (action === "rollback") {
        await gql(
          `mutation Rollback($id: String!) { deploymentRollback(id: $id) }`,
          { id: target.externalId },
          ctx.signal,
        );
      } else {
        await gql(
          `mutation Redeploy($id: String!) { deploymentRedeploy(id: $id) { id } }`,
          { id: target.externalId },
          ctx.signal,
        );
      }
      // Railway answers at once; the new deployment then builds and deploys.
      let seen: PlatformDeployment | undefined;
      while (Date.now() < deadline) {
        if (ctx.signal.aborted) throw new Error("aborted");
        seen = (await list(ctx.signal)).find((d) => !before.has(d.externalId));
        if (seen) ctx.progress(40, `Railway: ${seen.providerStatus}`);
        if (seen && seen.status !== "started") {
          ctx.log(
            seen.status === "succeeded" ? "info" : "error",
            `Railway deployment ${seen.externalId} ended ${seen.providerStatus}.`,
          );
          return {
            status: seen.status,
            externalId: seen.externalId,
            providerStatus: seen.providerStatus,
            finishedAt: seen.finishedAt ?? new Date(),
          };
        }
        await new Promise((r) => setTimeout(r, 2_000));
      }
      throw new RailwayError(
        seen
          ? `Railway's new deployment ${seen.externalId} was still ${seen.providerStatus} at the timeout; check Railway`
          : "no new deployment appeared on Railway before the timeout",
      );
    },
  };
}
