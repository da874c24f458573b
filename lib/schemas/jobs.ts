import { z } from "zod";

/** Kinds an admin may start by hand from Settings → Jobs. */
export const MANUAL_JOB_KINDS = ["db.maintenance", "audit.verify"] as const;

export const startJobInput = z.strictObject({
  kind: z.enum(MANUAL_JOB_KINDS, { error: "Unknown job kind" }),
  /** Set by the button, so a double click or a retried request starts one job. */
  requestKey: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/, "Invalid request key")
    .optional(),
});

export const cancelJobInput = z.strictObject({
  jobId: z.number({ error: "Choose a job" }).int().positive("Choose a job"),
});
