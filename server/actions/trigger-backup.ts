"use server";
import "server-only";
import { serverAction } from "@/server/auth/action";
import { triggerBackup as triggerBackupService } from "@/server/services/backups/trigger-backup";

export const triggerBackup = serverAction(triggerBackupService);
