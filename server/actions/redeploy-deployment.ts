"use server";
import "server-only";
import { deployActionInput } from "@/lib/schemas/deployments";
import { authAction } from "@/server/auth/action";
import { enqueueDeployAction } from "@/server/deployments/enqueue";

/** "Redeploy" (operator): deploys the same deployment again (e.g. after a crash). */
export const redeployDeployment = authAction({
  name: "deployments.redeploy",
  role: "operator",
  input: deployActionInput,
  run: (ctx, input) => enqueueDeployAction(ctx, input, "redeploy"),
});
