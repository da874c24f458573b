"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { createUser as createUserService } from "@/server/services/users/create-user";

export const createUser = serverAction(createUserService);
