import { z } from "zod";

/** The optional JSON a heartbeat ping may carry (a backup script reporting its run). */
export const pingBody = z.strictObject({
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .optional(),
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  message: z.string().max(1000).optional(),
});

/** /api/ingest/heartbeat/{token}[/start|/fail] */
export const pingPath = z.strictObject({
  slug: z
    .array(z.string())
    .min(1)
    .max(2)
    .refine(
      (s) => s.length === 1 || s[1] === "start" || s[1] === "fail",
      "expected /{token}, /{token}/start or /{token}/fail",
    ),
});
