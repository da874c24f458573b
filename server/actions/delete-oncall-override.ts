"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { deleteOncallOverride as deleteOncallOverrideService } from "@/server/services/oncall/delete-oncall-override";

export const deleteOncallOverride = serverAction(deleteOncallOverrideService);
