"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { setMonitorPaused as setMonitorPausedService } from "@/server/services/monitors/set-monitor-paused";

export const setMonitorPaused = serverAction(setMonitorPausedService);
