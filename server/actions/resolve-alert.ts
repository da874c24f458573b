"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { resolveAlert as resolveAlertService } from "@/server/services/alerts/resolve-alert";

export const resolveAlert = serverAction(resolveAlertService);
