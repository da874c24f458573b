"use server";
import "server-only";
import { deployActionInput } from "@/lib/schemas/deployments";
import { authAction } from "@/server/auth/action";
import { enqueueDeployAction } from "@/server/deployments/enqueue";

/** "Roll back to this version" (operator): a job that deploys an earlier successful deployment again. */
export const rollbackDeployment = authAction({
  name: "deployments.rollback",
  role: "operator",
  input: deployActionInput,
  run: (ctx, input) => enqueueDeployAction(ctx, input, "rollback"),
});
