import "server-only";
import { z } from "zod";
import { ROLES } from "@/lib/roles";
import { SecretValue } from "./secret-value";

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "expected an id of lowercase letters, digits and dashes (at most 63)",
  );

const httpUrl = z
  .string()
  .url("expected an http(s) URL")
  .refine((u) => /^https?:\/\//.test(u), "expected an http(s) URL");

/** A credential: must come from the environment (`${VAR}`), never written in the file. */
export const secretString = z
  .string()
  .min(1, "expected a value")
  .transform((value) => new SecretValue(value));

const environment = z.strictObject({
  id,
  name: z.string().min(1).max(80),
  protected: z.boolean().default(false),
  description: z.string().max(500).optional(),
});

const serviceEnvironment = z.strictObject({
  url: httpUrl,
  healthPath: z.string().startsWith("/", "expected a path starting with /").default("/health"),
});

const service = z.strictObject({
  id,
  name: z.string().min(1).max(80),
  description: z.string().max(500).optional(),
  environments: z.record(id, serviceEnvironment),
});

const oidc = z.strictObject({
  issuer: httpUrl,
  clientId: z.string().min(1),
  clientSecret: secretString,
  name: z.string().min(1).max(40).default("Single sign-on"),
  scope: z.string().default("openid email profile"),
  groupsClaim: z.string().min(1).default("groups"),
  roleMapping: z
    .strictObject({
      admin: z.array(z.string().min(1)).default([]),
      operator: z.array(z.string().min(1)).default([]),
      viewer: z.array(z.string().min(1)).default([]),
    })
    .default({ admin: [], operator: [], viewer: [] }),
  defaultRole: z.enum(ROLES).default("viewer"),
});

const cron = z
  .string()
  .regex(/^(\S+\s+){4}\S+$/, 'expected a 5-field cron expression such as "30 3 * * *"');

export const configSchema = z
  .strictObject({
    title: z.string().min(1).max(80).default("Opsdeck"),
    environments: z.array(environment).min(1, "expected at least one environment"),
    services: z.array(service).default([]),
    auth: z
      .strictObject({
        oidc: oidc.optional(),
        sessionMaxAgeHours: z.number().int().min(1).max(720).default(12),
      })
      .default({ sessionMaxAgeHours: 12 }),
    maintenance: z
      .strictObject({
        schedule: cron.default("30 3 * * *"),
      })
      .default({ schedule: "30 3 * * *" }),
  })
  .superRefine((config, ctx) => {
    const envIds = config.environments.map((e) => e.id);
    duplicates(envIds).forEach((dup) =>
      ctx.addIssue({
        code: "custom",
        path: ["environments", envIds.lastIndexOf(dup), "id"],
        message: `duplicate environment id "${dup}"`,
      }),
    );
    const serviceIds = config.services.map((s) => s.id);
    duplicates(serviceIds).forEach((dup) =>
      ctx.addIssue({
        code: "custom",
        path: ["services", serviceIds.lastIndexOf(dup), "id"],
        message: `duplicate service id "${dup}"`,
      }),
    );
    config.services.forEach((s, i) => {
      for (const envId of Object.keys(s.environments)) {
        if (!envIds.includes(envId)) {
          ctx.addIssue({
            code: "custom",
            path: ["services", i, "environments", envId],
            message: `unknown environment "${envId}"; expected one of: ${envIds.join(", ")}`,
          });
        }
      }
    });
  });

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

export type OpsdeckConfig = z.output<typeof configSchema>;
export type EnvironmentConfig = OpsdeckConfig["environments"][number];
export type ServiceConfig = OpsdeckConfig["services"][number];
export type OidcConfig = NonNullable<OpsdeckConfig["auth"]["oidc"]>;
