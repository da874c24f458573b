"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { createOncallOverride as createOncallOverrideService } from "@/server/services/oncall/create-oncall-override";

export const createOncallOverride = serverAction(createOncallOverrideService);
