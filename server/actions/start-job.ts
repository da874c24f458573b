"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { startJob as startJobService } from "@/server/services/jobs/start-job";

export const startJob = serverAction(startJobService);
