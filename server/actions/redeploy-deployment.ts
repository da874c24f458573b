"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { redeployDeployment as redeployDeploymentService } from "@/server/services/deployments/redeploy-deployment";

export const redeployDeployment = serverAction(redeployDeploymentService);
