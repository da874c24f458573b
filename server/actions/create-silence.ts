"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { createSilence as createSilenceService } from "@/server/services/alerts/create-silence";

export const createSilence = serverAction(createSilenceService);
