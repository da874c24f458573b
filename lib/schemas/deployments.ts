import { z } from "zod";
import { formatDuration } from "@/lib/duration";
import { printableText, unprintable } from "./text";

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected an id of lowercase letters, digits and dashes");
const time = z.iso.datetime({
  offset: true,
  error: "expected an ISO 8601 time such as 2026-11-27T10:00:00Z",
});

/** How far ahead of this server's clock a reported time may be (the sender's clock skew). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * An identifier that ends up in a command's environment (OPSDECK_TARGET_VERSION…) and in
 * the UI: letters, digits and . _ + : @ / = -, starting with a letter or digit, so it is
 * never an option, never shell syntax, and never displays as something else.
 */
function safeIdentifier(field: string, max: number, extra = "") {
  const allowed = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._+:@/${extra}-]*$`);
  return z
    .string()
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} is at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = unprintable(value);
      if (problem) ctx.addIssue({ code: "custom", message: `${field} ${problem}` });
      else if (!allowed.test(value))
        ctx.addIssue({
          code: "custom",
          message: `${field} may contain only letters, digits and . _ + : @ /${extra ? ` ${extra}` : ""} -, and must start with a letter or digit`,
        });
    });
}

/** What CI sends to POST /api/ingest/deployments (docs/integrations/ci.md). */
export const deploymentReport = z
  .strictObject({
    service: slug,
    environment: slug,
    version: safeIdentifier("version", 100),
    commitSha: z
      .string()
      .regex(/^[0-9a-f]{7,40}$/i, "expected a hexadecimal commit SHA")
      .optional(),
    committedAt: time.optional(),
    status: z.enum(["started", "succeeded", "failed"], {
      error: 'expected "started", "succeeded" or "failed"',
    }),
    startedAt: time.optional(),
    finishedAt: time.optional(),
    url: z
      .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
      .max(2000)
      .optional(),
    author: printableText("author", 200).optional(),
    message: printableText("message", 4000, { multiline: true }).optional(),
    externalId: safeIdentifier("externalId", 200, "=").optional(),
  })
  .superRefine((r, ctx) => {
    // A deploy "started" years from now would show as in progress forever.
    const limit = Date.now() + MAX_CLOCK_SKEW_MS;
    for (const field of ["startedAt", "finishedAt", "committedAt"] as const) {
      const at = r[field] ? Date.parse(r[field]) : undefined;
      if (at !== undefined && at > limit)
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${field} is ${formatDuration(at - Date.now())} ahead of this server's clock (at most ${MAX_CLOCK_SKEW_MS / 60_000} minutes of skew is allowed)`,
        });
    }
    if (r.startedAt && r.finishedAt && Date.parse(r.finishedAt) < Date.parse(r.startedAt))
      ctx.addIssue({
        code: "custom",
        path: ["finishedAt"],
        message: "finishedAt is before startedAt",
      });
  });
export type DeploymentReport = z.output<typeof deploymentReport>;

export const deployActionInput = z.strictObject({
  deploymentId: z.number({ error: "Choose a deployment" }).int().positive(),
  /** The environment's name, typed by the person, when the environment is protected. */
  confirm: z.string().max(100).optional(),
  requestKey: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/, "Invalid request key")
    .optional(),
});
export type DeployActionInput = z.output<typeof deployActionInput>;
