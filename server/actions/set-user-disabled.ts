"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { setUserDisabled as setUserDisabledService } from "@/server/services/users/set-user-disabled";

export const setUserDisabled = serverAction(setUserDisabledService);
