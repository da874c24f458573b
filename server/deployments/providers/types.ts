import "server-only";
import type { Deployment, DeployStatus } from "@/server/db/schema";
import type { JobContext } from "@/server/jobs/registry";

/** A deployment as a platform reports it. */
export type PlatformDeployment = {
  externalId: string;
  status: DeployStatus;
  providerStatus: string;
  version: string;
  commitSha: string | null;
  author: string | null;
  message: string | null;
  url: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  canRollback: boolean;
  /** The platform's id of the deployment this one restored, when it says. */
  rollbackOf: string | null;
};

export type DeployAction = "rollback" | "redeploy";

/** What came of asking the provider to deploy: the new deployment, once it has finished. */
export type ActionOutcome = {
  status: DeployStatus;
  externalId: string | null;
  providerStatus: string | null;
  finishedAt: Date;
};

export interface DeployProvider {
  /** Why `target` cannot be deployed again, or null when it can. */
  cannot(action: DeployAction, target: Deployment): string | null;
  /** Asks for the deployment and waits (up to the deadline) until the new one has finished. */
  deploy(
    ctx: JobContext<unknown>,
    action: DeployAction,
    target: Deployment,
    deadline: number,
  ): Promise<ActionOutcome>;
  /** Deployments the platform knows, newest first (for providers that can list them). */
  list?(signal?: AbortSignal): Promise<PlatformDeployment[]>;
}
