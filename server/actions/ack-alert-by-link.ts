"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { ackAlertByLink as ackAlertByLinkService } from "@/server/services/alerts/ack-alert-by-link";

export const ackAlertByLink = serverAction(ackAlertByLinkService);
