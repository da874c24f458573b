"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { cancelJob as cancelJobService } from "@/server/services/jobs/cancel-job";

export const cancelJob = serverAction(cancelJobService);
