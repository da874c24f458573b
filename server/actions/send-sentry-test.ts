"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { sendSentryTest as sendSentryTestService } from "@/server/services/system/send-sentry-test";

export const sendSentryTest = serverAction(sendSentryTestService);
