"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { previewConfigEdit } from "@/server/services/config/preview-config-edit";

/** The diff an edit of opsdeck.yaml would make, validated; nothing is written. */
export const previewConfigEditAction = serverAction(previewConfigEdit);
