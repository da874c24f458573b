"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { rollbackDeployment as rollbackDeploymentService } from "@/server/services/deployments/rollback-deployment";

export const rollbackDeployment = serverAction(rollbackDeploymentService);
