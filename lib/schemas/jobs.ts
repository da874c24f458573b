import { z } from "zod";

/** Kinds an admin may start by hand from Settings → Jobs. */
export const MANUAL_JOB_KINDS = ["db.maintenance", "audit.verify", "audit.archive"] as const;

/** What to archive: rows older than a number of days (default: the config's), or up to a row. */
export const auditArchiveParams = z.strictObject({
  olderThanDays: z
    .number({ error: "Days must be a number" })
    .int("Days must be a whole number")
    .min(0, "Days cannot be negative")
    .max(36_500, "Days must be at most 36500")
    .optional(),
  upToId: z
    .number({ error: "The row must be a number" })
    .int("The row must be a whole number")
    .positive("The row must be at least 1")
    .optional(),
});

export const startJobInput = z
  .strictObject({
    kind: z.enum(MANUAL_JOB_KINDS, { error: "Unknown job kind" }),
    /** Only audit.archive takes any. */
    archive: auditArchiveParams.optional(),
    /** Set by the button, so a double click or a retried request starts one job. */
    requestKey: z
      .string()
      .regex(/^[A-Za-z0-9-]{8,64}$/, "Invalid request key")
      .optional(),
  })
  .refine((v) => !v.archive || v.kind === "audit.archive", {
    message: "Only the audit archive takes archive settings",
    path: ["archive"],
  });

export const cancelJobInput = z.strictObject({
  jobId: z.number({ error: "Choose a job" }).int().positive("Choose a job"),
});
