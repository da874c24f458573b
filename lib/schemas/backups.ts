import { z } from "zod";

const jobId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "Unknown backup job");
const requestKey = z
  .string()
  .regex(/^[A-Za-z0-9-]{8,64}$/, "Invalid request key")
  .optional();

export const triggerBackupInput = z.strictObject({ backup: jobId, requestKey });

export const restoreBackupInput = z.strictObject({
  backupId: z.number({ error: "Choose a backup" }).int().positive(),
  /** The environment's name, typed by the person, when the environment is protected. */
  confirm: z.string().max(100).optional(),
  requestKey,
});
