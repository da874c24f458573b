"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { createCalendarToken as createCalendarTokenService } from "@/server/services/oncall/create-calendar-token";

export const createCalendarToken = serverAction(createCalendarTokenService);
