"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { expireSilence as expireSilenceService } from "@/server/services/alerts/expire-silence";

export const expireSilence = serverAction(expireSilenceService);
