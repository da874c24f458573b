import { z } from "zod";

export const STATUS_UPDATE_STATUSES = [
  "investigating",
  "identified",
  "monitoring",
  "resolved",
] as const;
export type StatusUpdateStatus = (typeof STATUS_UPDATE_STATUSES)[number];

export const postStatusUpdateInput = z.strictObject({
  alertId: z
    .number({ error: "expected an alert id" })
    .int("expected an alert id")
    .positive("expected an alert id"),
  status: z.enum(STATUS_UPDATE_STATUSES, {
    error: `expected one of: ${STATUS_UPDATE_STATUSES.join(", ")}`,
  }),
  /** The incident's public title: needed on its first update, ignored after. */
  title: z.string().trim().max(120, "a title is at most 120 characters").optional(),
  message: z
    .string({ error: "expected a message" })
    .trim()
    .min(1, "write what the public should know")
    .max(2000, "a message is at most 2000 characters"),
});
