import { z } from "zod";

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected an id of lowercase letters, digits and dashes");
const time = z.iso.datetime({
  offset: true,
  error: "expected an ISO 8601 time such as 2026-11-27T10:00:00Z",
});

/** What CI sends to POST /api/ingest/deployments (docs/integrations/ci.md). */
export const deploymentReport = z.strictObject({
  service: slug,
  environment: slug,
  version: z.string().trim().min(1, "version is required").max(100),
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
  author: z.string().max(200).optional(),
  message: z.string().max(4000).optional(),
  externalId: z.string().min(1).max(200).optional(),
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
