import { z } from "zod";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((v) => (v ? v : undefined));

const optionalDate = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    // The form's datetime-local value has no zone; the page shows UTC, so read it as UTC.
    const date = new Date(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v) ? `${v}Z` : v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "is not a date" });
      return z.NEVER;
    }
    return date;
  });

/** Audit page filters, from the URL. */
export const auditFilterSchema = z.object({
  actor: optionalText(254),
  action: optionalText(100),
  outcome: z.enum(["success", "denied", "failure"]).optional().catch(undefined),
  from: optionalDate,
  to: optionalDate,
  before: z.coerce.number().int().positive().optional().catch(undefined),
  after: z.coerce.number().int().nonnegative().optional().catch(undefined),
  /** Rows per page; the query caps it (AUDIT_MAX_PAGE_SIZE), whatever the URL asks. */
  limit: z.coerce.number().int().positive().optional().catch(undefined),
});
export type AuditFilter = z.output<typeof auditFilterSchema>;
