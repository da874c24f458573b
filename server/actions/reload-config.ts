"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { reloadConfig } from "@/server/services/config/reload";

/** Re-reads opsdeck.yaml; an invalid file is refused with its problems and the running config stays. */
export const reloadConfigAction = serverAction(reloadConfig);
