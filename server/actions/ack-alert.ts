"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { ackAlert as ackAlertService } from "@/server/services/alerts/ack-alert";

export const ackAlert = serverAction(ackAlertService);
