import "server-only";
import { deployActionInput } from "@/lib/schemas/deployments";
import { enqueueDeployAction } from "@/server/deployments/enqueue";
import { defineService } from "@/server/services/service";

/** "Roll back to this version" (operator): a job that deploys an earlier successful deployment again. */
export const rollbackDeployment = defineService({
  name: "deployments.rollback",
  role: "operator",
  input: deployActionInput,
  run: (ctx, input) => enqueueDeployAction(ctx, input, "rollback"),
});
