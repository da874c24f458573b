"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { saveConfigEdit } from "@/server/services/config/save-config-edit";

/** Writes an edit of opsdeck.yaml atomically, audited with its diff, and reloads it. */
export const saveConfigEditAction = serverAction(saveConfigEdit);
