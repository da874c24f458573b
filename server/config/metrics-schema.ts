import "server-only";
import { z } from "zod";
import { compileFullMatch } from "@/lib/patterns";
import { checkedSecret, duration, httpUrl, id, secretString } from "./schema-parts";

// `scrape:` (what Opsdeck collects and how) and `metrics:` (how it keeps and answers
// it), in Prometheus's own terms: a target is one job, each URL one instance.

const DAY = 86_400_000;

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "expected a Prometheus label name")
  .refine((n) => !n.startsWith("__"), "label names starting with __ are reserved");

/** A regular expression matched against the whole value (RE2: linear time, no backtracking). */
const fullMatchRegex = z
  .string()
  .max(1000)
  .transform((source, ctx) => {
    const test = compileFullMatch(source);
    if (typeof test === "string") {
      ctx.addIssue({ code: "custom", message: `is not a valid regular expression: ${test}` });
      return z.NEVER;
    }
    return { source, test };
  });

/** Prometheus's metric_relabel_configs, the keep and drop actions. */
const metricRelabel = z.strictObject({
  action: z.enum(["keep", "drop"]),
  /** Label values joined with `separator` (default `__name__`, the metric name). */
  sourceLabels: z
    .array(z.union([labelName, z.literal("__name__")]))
    .min(1)
    .default(["__name__"]),
  separator: z.string().max(10).default(";"),
  regex: fullMatchRegex,
});

const limits = z.strictObject({
  /** A response body larger than this fails the scrape (bytes; default 10 MiB). */
  bodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Samples one scrape may return after relabelling (Prometheus's sample_limit). */
  samples: z.number().int().min(1).max(1_000_000).default(50_000),
  labels: z.number().int().min(1).max(1000).default(64),
  labelNameLength: z.number().int().min(1).max(10_000).default(128),
  labelValueLength: z.number().int().min(1).max(100_000).default(2048),
});
const LIMIT_DEFAULTS = limits.parse({});

const target = z.strictObject({
  /** The `job` label of everything scraped from it. */
  id,
  service: id,
  environment: id,
  /** One URL per replica; each is an instance (`instance` = host:port). */
  urls: z
    .array(
      httpUrl.refine(
        (u) => !new URL(u).username && !new URL(u).password,
        "credentials do not belong in the URL (they would show on the Targets page); use basicAuth with ${VAR}",
      ),
    )
    .min(1)
    .max(100),
  interval: duration({ min: 1000, max: 3_600_000 }).optional(),
  timeout: duration({ min: 100, max: 600_000 }).optional(),
  bearerToken: secretString.optional(),
  basicAuth: z.strictObject({ username: z.string().min(1), password: secretString }).optional(),
  /** Added to every series of the target (a scraped label of the same name is kept as exported_<name>). */
  labels: z
    .record(z.string(), z.string().max(1000))
    .superRefine((labels, ctx) => {
      for (const name of Object.keys(labels)) {
        const checked = labelName.safeParse(name);
        if (!checked.success)
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `"${name}": ${checked.error.issues[0]!.message}`,
          });
      }
    })
    .default({}),
  metricRelabel: z.array(metricRelabel).max(50).default([]),
  limits: limits.partial().optional(),
});

export const scrapeSchema = z
  .strictObject({
    interval: duration({ min: 1000, max: 3_600_000 }).default(15_000),
    /** Default: the interval, at most 10 s. */
    timeout: duration({ min: 100, max: 600_000 }).optional(),
    limits: limits.default(LIMIT_DEFAULTS),
    targets: z.array(target).max(1000).default([]),
  })
  .default({ interval: 15_000, limits: LIMIT_DEFAULTS, targets: [] })
  .superRefine((s, ctx) => {
    s.targets.forEach((t, i) => {
      if (t.bearerToken && t.basicAuth)
        ctx.addIssue({
          code: "custom",
          path: ["targets", i, "basicAuth"],
          message: "give bearerToken or basicAuth, not both",
        });
      const interval = t.interval ?? s.interval;
      const timeout = t.timeout ?? s.timeout;
      if (timeout !== undefined && timeout > interval)
        ctx.addIssue({
          code: "custom",
          path: ["targets", i, "timeout"],
          message: `the timeout (${timeout / 1000}s) must not be longer than the interval (${interval / 1000}s)`,
        });
      const seen = new Set<string>();
      t.urls.forEach((u, j) => {
        const instance = instanceOf(u);
        if (seen.has(instance))
          ctx.addIssue({
            code: "custom",
            path: ["targets", i, "urls", j],
            message: `two URLs are the same instance "${instance}"; each replica needs its own host:port`,
          });
        seen.add(instance);
      });
    });
  });

/** The `instance` label of a replica: host:port, the port made explicit as Prometheus does. */
export function instanceOf(url: string): string {
  const u = new URL(url);
  // WHATWG URLs keep an IPv6 host in brackets, as the instance label wants it.
  return `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
}

const pushSource = z.strictObject({
  id,
  /** The `job` label when the pushed series have none. */
  service: id,
  environment: id,
  /** Sent as `Authorization: Bearer <token>`. */
  token: checkedSecret,
});

const RETENTION_DEFAULTS = { raw: 15 * DAY, fiveMinute: 90 * DAY, hour: 400 * DAY };

export const metricsSchema = z
  .strictObject({
    /** How long each resolution is kept (ADR 19 says why 5-minute points default to 90 days). */
    retention: z
      .strictObject({
        raw: duration({ min: DAY }).default(RETENTION_DEFAULTS.raw),
        fiveMinute: duration({ min: 7 * DAY }).default(RETENTION_DEFAULTS.fiveMinute),
        hour: duration({ min: 30 * DAY }).default(RETENTION_DEFAULTS.hour),
      })
      .default(RETENTION_DEFAULTS),
    /** Where queries go: the built-in store, or a Prometheus-compatible server. */
    datasource: z
      .discriminatedUnion("type", [
        z.strictObject({ type: z.literal("builtin") }),
        z.strictObject({
          type: z.literal("prometheus"),
          url: httpUrl,
          bearerToken: secretString.optional(),
          basicAuth: z
            .strictObject({ username: z.string().min(1), password: secretString })
            .optional(),
          timeout: duration({ min: 1000, max: 300_000 }).default(30_000),
        }),
      ])
      .default({ type: "builtin" }),
    /** Bearer tokens for /api/v1/* reads by Grafana or promtool (a session works too). */
    apiTokens: z
      .array(z.strictObject({ id, token: checkedSecret }))
      .max(50)
      .default([]),
    /** Services that push (remote write, OTLP) instead of being scraped. */
    push: z.array(pushSource).max(100).default([]),
  })
  .default({
    retention: RETENTION_DEFAULTS,
    datasource: { type: "builtin" },
    apiTokens: [],
    push: [],
  });

export type ScrapeConfig = z.output<typeof scrapeSchema>;
export type ScrapeTargetConfig = ScrapeConfig["targets"][number];
export type MetricsConfig = z.output<typeof metricsSchema>;
export type ScrapeLimits = z.output<typeof limits>;
