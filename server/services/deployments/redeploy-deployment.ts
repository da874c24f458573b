import "server-only";
import { deployActionInput } from "@/lib/schemas/deployments";
import { enqueueDeployAction } from "@/server/deployments/enqueue";
import { defineService } from "@/server/services/service";

/** "Redeploy" (operator): deploys the same deployment again (e.g. after a crash). */
export const redeployDeployment = defineService({
  name: "deployments.redeploy",
  role: "operator",
  input: deployActionInput,
  run: (ctx, input) => enqueueDeployAction(ctx, input, "redeploy"),
});
