import "server-only";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Deployment } from "@/server/db/schema";
import { providerFor } from "./providers/provider-for";
import type { DeployAction } from "./providers/types";

/** Why a deployment cannot be rolled back to / redeployed from here, or null when it can. */
export function deployRefusal(
  config: OpsdeckConfig,
  d: Deployment,
  action: DeployAction,
  liveId: number | undefined,
): string | null {
  const deploy = config.services.find((s) => s.id === d.service)?.environments[d.environment]
    ?.deploy;
  if (!deploy) return "no deploy provider is configured for this environment";
  if (d.status !== "succeeded") return "only a successful deployment can be deployed again";
  if (action === "rollback" && d.id === liveId) return "this is what is live now";
  return providerFor(deploy).cannot(action, d);
}
