"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { resetUserPassword as resetUserPasswordService } from "@/server/services/users/reset-user-password";

export const resetUserPassword = serverAction(resetUserPasswordService);
