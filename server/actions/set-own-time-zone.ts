"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { setOwnTimeZone as setOwnTimeZoneService } from "@/server/services/preferences/set-own-time-zone";

export const setOwnTimeZone = serverAction(setOwnTimeZoneService);
