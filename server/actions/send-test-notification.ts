"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { sendTestNotification as sendTestNotificationService } from "@/server/services/alerts/send-test-notification";

export const sendTestNotification = serverAction(sendTestNotificationService);
