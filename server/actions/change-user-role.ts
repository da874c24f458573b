"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { changeUserRole as changeUserRoleService } from "@/server/services/users/change-user-role";

export const changeUserRole = serverAction(changeUserRoleService);
