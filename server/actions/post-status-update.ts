"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { postStatusUpdate as postStatusUpdateService } from "@/server/services/status/post-status-update";

export const postStatusUpdate = serverAction(postStatusUpdateService);
