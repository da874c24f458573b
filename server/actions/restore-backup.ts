"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { restoreBackup } from "@/server/services/backups/restore-backup";

export const restoreBackupAction = serverAction(restoreBackup);
