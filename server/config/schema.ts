import "server-only";
import { z } from "zod";
import { isTimeZone } from "@/lib/time-zone";
import { ROLES } from "@/lib/roles";
import { SecretValue } from "./secret-value";
import { alertsSchema, oncallSchema, type RouteConfig } from "./alerts-schema";
import { metricsSchema, scrapeSchema } from "./metrics-schema";
import {
  checkedSecret,
  cron,
  duration,
  envNames,
  httpUrl,
  id,
  port,
  rate,
  secretString,
} from "./schema-parts";
import {
  defaultSelfBackupDir,
  isSelfBackup,
  SELF_BACKUP_ID,
  selfDatabaseFile,
} from "./self-backup";
import { checkTokens } from "./token-checks";

const environment = z.strictObject({
  id,
  name: z.string().min(1).max(80),
  protected: z.boolean().default(false),
  description: z.string().max(500).optional(),
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

const statusList = z
  .union([
    z.number().int().min(100).max(599),
    z.string(),
    z.array(z.union([z.number().int().min(100).max(599), z.string()])),
  ])
  .transform((value, ctx) => {
    const items = Array.isArray(value)
      ? value
      : typeof value === "string"
        ? value.split(",")
        : [value];
    const ranges: [number, number][] = [];
    for (const item of items) {
      const m = /^\s*(\d{3})\s*(?:-\s*(\d{3}))?\s*$/.exec(String(item));
      const lo = m ? Number(m[1]) : NaN;
      const hi = m?.[2] ? Number(m[2]) : lo;
      if (!m || lo < 100 || hi > 599 || lo > hi) {
        ctx.addIssue({
          code: "custom",
          message: `expected status codes like 200, [200, 204] or "200-299", got ${JSON.stringify(item)}`,
        });
        return z.NEVER;
      }
      ranges.push([lo, hi]);
    }
    return ranges;
  });

const jsonAssertion = z.strictObject({
  /** Dotted path into the JSON body: "status", "checks.database", "items[0].state". */
  path: z.string().min(1).max(200),
  op: z.enum(["==", "!=", ">", ">=", "<", "<=", "contains", "exists"]).default("=="),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
});

const monitorCommon = {
  id,
  name: z.string().min(1).max(80).optional(),
  service: id,
  environment: id,
  description: z.string().max(500).optional(),
  /** How often to check: 1m by default, five times as often as UptimeRobot's free tier. */
  interval: duration({ min: 10_000, max: 86_400_000 }).default(60_000),
  /** Extra failed checks, each after retryInterval, before the monitor is marked down. */
  retries: z.number().int().min(0).max(10).default(1),
  retryInterval: duration({ min: 5_000, max: 3_600_000 }).default(20_000),
  paused: z.boolean().default(false),
  /** Serve /api/badge/{id} to anyone; otherwise only to signed-in users. */
  badge: z.boolean().default(false),
};

const httpMonitor = z.strictObject({
  ...monitorCommon,
  type: z.literal("http"),
  url: httpUrl,
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, "expected a header name"), z.string().max(8192))
    .default({}),
  body: z.string().max(65_536).optional(),
  timeout: duration({ min: 100, max: 120_000 }).default(10_000),
  followRedirects: z.boolean().default(true),
  maxRedirects: z.number().int().min(0).max(20).default(5),
  ignoreTlsErrors: z.boolean().default(false),
  tlsWarnDays: z.number().int().min(0).max(365).default(21),
  expect: z
    .strictObject({
      status: statusList.default([[200, 299]]),
      keyword: z.string().min(1).max(1000).optional(),
      notKeyword: z.string().min(1).max(1000).optional(),
      json: jsonAssertion.optional(),
      maxResponseTime: duration({ min: 1, max: 120_000 }).optional(),
    })
    .default({ status: [[200, 299]] }),
});

const tcpMonitor = z.strictObject({
  ...monitorCommon,
  type: z.literal("tcp"),
  host: z.string().min(1).max(253),
  port,
  timeout: duration({ min: 100, max: 120_000 }).default(10_000),
  expect: z
    .strictObject({ maxResponseTime: duration({ min: 1, max: 120_000 }).optional() })
    .default({}),
});

const tlsMonitor = z.strictObject({
  ...monitorCommon,
  type: z.literal("tls"),
  host: z.string().min(1).max(253),
  port: port.default(443),
  servername: z.string().min(1).max(253).optional(),
  timeout: duration({ min: 100, max: 120_000 }).default(10_000),
  /** Degraded when the certificate expires in fewer days than this. */
  warnDays: z.number().int().min(0).max(365).default(21),
});

const heartbeatMonitor = z.strictObject({
  ...monitorCommon,
  type: z.literal("heartbeat"),
  /** Secret part of the ping URL /api/ingest/heartbeat/{token}; from the environment. */
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,128}$/, "expected 32 to 128 letters, digits, - or _")
    .transform((value) => new SecretValue(value)),
  /** How often a ping is expected, and how late it may be before the monitor is down. */
  period: duration({ min: 10_000, max: 35 * 86_400_000 }).default(86_400_000),
  grace: duration({ min: 0, max: 7 * 86_400_000 }).default(3_600_000),
});

export const monitorSchema = z.discriminatedUnion(
  "type",
  [httpMonitor, tcpMonitor, tlsMonitor, heartbeatMonitor],
  {
    error: 'expected type to be one of "http", "tcp", "tls", "heartbeat"',
  },
);

const maintenanceWindow = z
  .strictObject({
    id,
    name: z.string().min(1).max(80).optional(),
    /** Which monitors it covers; with none of the three, every monitor. */
    monitors: z.array(id).default([]),
    services: z.array(id).default([]),
    environments: z.array(id).default([]),
    /** A one-off window… */
    start: z.iso
      .datetime({ offset: true, error: "expected an ISO 8601 time such as 2026-12-01T02:00:00Z" })
      .optional(),
    end: z.iso
      .datetime({ offset: true, error: "expected an ISO 8601 time such as 2026-12-01T04:00:00Z" })
      .optional(),
    /** …or a recurring one: starts on this cron (in `timeZone`) and lasts `duration`. */
    cron: z
      .string()
      .regex(/^(\S+\s+){4}\S+$/, "expected a 5-field cron expression")
      .optional(),
    duration: duration({ min: 60_000, max: 7 * 86_400_000 }).optional(),
    timeZone: z
      .string()
      .refine(isTimeZone, "expected an IANA time zone such as Europe/Berlin")
      .optional(),
    /** Deprecated spelling of `timeZone` (schedules spell it that way); still read, with a warning. */
    timezone: z
      .string()
      .refine(isTimeZone, "expected an IANA time zone such as Europe/Berlin")
      .optional(),
  })
  .superRefine((w, ctx) => {
    if (w.timeZone !== undefined && w.timezone !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["timezone"],
        message: "give timeZone only (timezone is its deprecated spelling)",
      });
    const oneOff = w.start !== undefined || w.end !== undefined;
    const recurring = w.cron !== undefined || w.duration !== undefined;
    if (oneOff === recurring) {
      ctx.addIssue({
        code: "custom",
        message: "give either start and end (one-off) or cron and duration (recurring)",
      });
    } else if (oneOff && (!w.start || !w.end || Date.parse(w.end) <= Date.parse(w.start))) {
      ctx.addIssue({
        code: "custom",
        path: ["end"],
        message: "a one-off window needs start and an end after it",
      });
    } else if (recurring && (!w.cron || !w.duration)) {
      ctx.addIssue({ code: "custom", message: "a recurring window needs both cron and duration" });
    }
  })
  .transform(({ timezone, timeZone, ...w }) => ({ ...w, timeZone: timeZone ?? timezone ?? "UTC" }));

const argv = z
  .array(z.string().min(1).max(4096))
  .min(1, "expected a command as a list: [program, arg, …]")
  .max(100);

const backupSource = z.discriminatedUnion(
  "type",
  [
    /** A SQLite file read with the online backup API while the application keeps writing. */
    z.strictObject({ type: z.literal("sqlite"), path: z.string().min(1).max(4096) }),
    /** Any command that writes a dump to stdout (pg_dump, `railway run …`); no shell unless you write one. */
    z.strictObject({
      type: z.literal("command"),
      command: argv,
      /** Variables the command gets besides the basic ones (env.ts childEnv). */
      env: envNames,
      timeout: duration({ min: 1_000, max: 24 * 3_600_000 }).default(3_600_000),
      /** File extension of the dump inside the .gz (".sql", ".dump", ".db"). */
      extension: z
        .string()
        .regex(/^\.[a-z0-9]{1,10}$/, 'expected an extension such as ".sql"')
        .default(".dump"),
    }),
    /** Made elsewhere; reports to a heartbeat monitor (with sizeBytes, durationMs). */
    z.strictObject({ type: z.literal("external"), heartbeat: id }),
  ],
  { error: 'expected source.type to be one of "sqlite", "command", "external"' },
);

const retention = (days: number) =>
  z
    .strictObject({
      days: z.number().int().min(1).max(3650).default(days),
      /** Grandfather-father-son: also keep the newest backup of each of the last N days / weeks / months. */
      keepDaily: z.number().int().min(0).max(3650).default(0),
      keepWeekly: z.number().int().min(0).max(520).default(0),
      keepMonthly: z.number().int().min(0).max(240).default(0),
    })
    .default({ days, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 });

/** Opsdeck's own database: backed up by a built-in job unless turned off. */
const selfBackup = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Cron in UTC. */
    schedule: cron.default("0 3 * * *"),
    /** A directory; default `<OPSDECK_DATA_DIR>/backups`. */
    path: z.string().min(1).max(4096).optional(),
    retention: retention(14),
    restoreDrill: cron.optional(),
  })
  .default({
    enabled: true,
    schedule: "0 3 * * *",
    retention: { days: 14, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
  });

const backupJob = z
  .strictObject({
    id,
    name: z.string().min(1).max(80).optional(),
    service: id,
    environment: id,
    source: backupSource,
    destination: z
      .strictObject({ type: z.literal("local"), path: z.string().min(1).max(4096) })
      .optional(),
    /** Cron in UTC. */
    schedule: cron.default("0 2 * * *"),
    /** How late past its schedule the newest backup may be before it shows red. */
    grace: duration({ min: 60_000, max: 7 * 86_400_000 }).default(3_600_000),
    retention: retention(30),
    /** Cron in UTC for restore drills of the newest backup (sqlite sources). */
    restoreDrill: cron.optional(),
    /** Commands run around a restore (e.g. turning maintenance mode on and off). */
    hooks: z
      .strictObject({ preRestore: argv.optional(), postRestore: argv.optional(), env: envNames })
      .default({}),
  })
  .superRefine((b, ctx) => {
    if (b.source.type !== "external" && !b.destination) {
      ctx.addIssue({
        code: "custom",
        path: ["destination"],
        message: "is required (where backup files go)",
      });
    }
    if (b.restoreDrill && b.source.type !== "sqlite") {
      ctx.addIssue({
        code: "custom",
        path: ["restoreDrill"],
        message: "restore drills need a sqlite source",
      });
    }
  });

/** How Opsdeck rolls back and redeploys a service in one environment. */
const deployTarget = z.discriminatedUnion(
  "provider",
  [
    z.strictObject({
      provider: z.literal("railway"),
      projectId: z.string().min(1).max(100),
      environmentId: z.string().min(1).max(100),
      serviceId: z.string().min(1).max(100),
      token: secretString,
      endpoint: httpUrl.default("https://backboard.railway.com/graphql/v2"),
    }),
    /** Programs (no shell unless written) given OPSDECK_TARGET_* variables for the deployment to restore. */
    z.strictObject({
      provider: z.literal("command"),
      rollback: argv,
      redeploy: argv.optional(),
      /** Variables the commands get besides the basic ones and OPSDECK_TARGET_* (env.ts childEnv). */
      env: envNames,
      timeout: duration({ min: 1_000, max: 3_600_000 }).default(600_000),
    }),
    /** A signed JSON POST (X-Opsdeck-Signature: sha256=HMAC) that asks another system (CI) to deploy. */
    z.strictObject({
      provider: z.literal("webhook"),
      url: httpUrl,
      secret: checkedSecret,
      timeout: duration({ min: 1_000, max: 300_000 }).default(30_000),
    }),
  ],
  { error: 'expected deploy.provider to be one of "railway", "command", "webhook"' },
);

const serviceEnvironment = z.strictObject({
  url: httpUrl,
  deploy: deployTarget.optional(),
  /** After a rollback or redeploy: the environment's monitors must pass this many checks in a row. */
  verify: z
    .strictObject({
      checks: z.number().int().min(1).max(20).default(3),
      timeout: duration({ min: 10_000, max: 3_600_000 }).default(300_000),
    })
    .default({ checks: 3, timeout: 300_000 }),
});

const service = z.strictObject({
  id,
  name: z.string().min(1).max(80),
  description: z.string().max(500).optional(),
  environments: z.record(id, serviceEnvironment),
});

/** A CI system allowed to report deployments (POST /api/ingest/deployments). */
const integration = z.strictObject({
  id,
  name: z.string().min(1).max(80).optional(),
  token: checkedSecret,
  /** What the token may report: none listed means every service (or environment). */
  services: z.array(id).default([]),
  environments: z.array(id).default([]),
});

/** A public status page (Statuspage / Uptime Kuma style) for a set of services, served at /status/{path}. */
const statusPage = z.strictObject({
  id,
  /** The URL slug: "navi" is served at /status/navi. */
  path: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      "expected a path slug of lowercase letters, digits and dashes (at most 63), e.g. navi",
    ),
  title: z.string().min(1).max(80),
  description: z.string().max(500).optional(),
  /** The services shown, in this order, by their display names. */
  services: z.array(id).min(1, "expected at least one service").max(50, "at most 50 services"),
  /** Only monitors of this environment count (usually production); all environments when unset. */
  environment: id.optional(),
  /** How long one computed page is served to everyone (browsers are told max-age=30 regardless). */
  cacheSeconds: z.number().int().min(0).max(3600).default(30),
});

const INGEST_DEFAULTS = {
  perAddress: { requests: 600, perMs: 60_000 },
  perIntegration: { requests: 120, perMs: 60_000 },
  failedAuth: { requests: 10, perMs: 60_000 },
};

const configBase = z.strictObject({
  title: z.string().min(1).max(80).default("Opsdeck"),
  /** The bundled demo: its credentials are public defaults, so check-config does not warn. */
  demo: z.boolean().default(false),
  environments: z.array(environment).min(1, "expected at least one environment"),
  services: z.array(service).default([]),
  auth: z
    .strictObject({
      oidc: oidc.optional(),
      sessionMaxAgeHours: z.number().int().min(1).max(720).default(12),
    })
    .default({ sessionMaxAgeHours: 12 }),
  monitors: z.array(monitorSchema).default([]),
  backups: z.array(backupJob).default([]),
  selfBackup,
  integrations: z.array(integration).default([]),
  /** Budgets of the ingest endpoints (/api/ingest/*): past them, 429 with Retry-After. */
  ingest: z
    .strictObject({
      perAddress: rate.default(INGEST_DEFAULTS.perAddress),
      perIntegration: rate.default(INGEST_DEFAULTS.perIntegration),
      failedAuth: rate.default(INGEST_DEFAULTS.failedAuth),
    })
    .default(INGEST_DEFAULTS),
  maintenanceWindows: z.array(maintenanceWindow).default([]),
  statusPages: z.array(statusPage).default([]),
  uptime: z
    .strictObject({
      /** How long each resolution is kept. Day rollups are kept forever. */
      retention: z
        .strictObject({
          raw: duration({ min: 3_600_000 }).default(7 * 86_400_000),
          minute: duration({ min: 86_400_000 }).default(14 * 86_400_000),
          hour: duration({ min: 7 * 86_400_000 }).default(400 * 86_400_000),
        })
        .default({ raw: 7 * 86_400_000, minute: 14 * 86_400_000, hour: 400 * 86_400_000 }),
    })
    .default({
      retention: { raw: 7 * 86_400_000, minute: 14 * 86_400_000, hour: 400 * 86_400_000 },
    }),
  alerts: alertsSchema,
  oncall: oncallSchema,
  scrape: scrapeSchema,
  metrics: metricsSchema,
  housekeeping: z
    .strictObject({
      schedule: cron.default("30 3 * * *"),
      /** Export old audit rows to NDJSON with a signed checkpoint, then prune them. */
      auditArchive: z
        .strictObject({
          olderThanDays: z.number().int().min(1).max(36_500).default(365),
          /** Where archives go; default `$OPSDECK_DATA_DIR/audit-archive`. */
          folder: z.string().min(1).max(4096).optional(),
          /** When to archive on its own; without it, only by hand. */
          schedule: cron.optional(),
        })
        .default({ olderThanDays: 365 }),
    })
    .default({ schedule: "30 3 * * *", auditArchive: { olderThanDays: 365 } }),
});

const referencedConfig = configBase.superRefine((config, ctx) => {
  const { issue, unique, known } = referenceChecks(ctx);
  checkAlertReferences(config, ctx);
  const envIds = config.environments.map((e) => e.id);
  const serviceIds = config.services.map((s) => s.id);
  const monitorIds = config.monitors.map((m) => m.id);
  const backupIds = config.backups.map((b) => b.id);
  unique("environments", envIds, "environment");
  unique("services", serviceIds, "service");
  unique("monitors", monitorIds, "monitor");
  unique("backups", backupIds, "backup");
  unique(
    "integrations",
    config.integrations.map((i) => i.id),
    "integration",
  );
  for (const [path, list] of [
    [["monitors"], config.monitors],
    [["backups"], config.backups],
    [["scrape", "targets"], config.scrape.targets],
    [["metrics", "push"], config.metrics.push],
  ] as const)
    list.forEach((item, i) => {
      known([...path, i, "service"], item.service, serviceIds, "service");
      known([...path, i, "environment"], item.environment, envIds, "environment");
    });
  unique(
    ["scrape", "targets"],
    config.scrape.targets.map((t) => t.id),
    "scrape target",
  );
  unique(
    ["metrics", "push"],
    config.metrics.push.map((p) => p.id),
    "push source",
  );
  unique(
    ["metrics", "apiTokens"],
    config.metrics.apiTokens.map((p) => p.id),
    "API token",
  );
  checkTokens(config, ctx);
  config.integrations.forEach((integration, i) => {
    integration.services.forEach((ref, j) =>
      known(["integrations", i, "services", j], ref, serviceIds, "service"),
    );
    integration.environments.forEach((ref, j) =>
      known(["integrations", i, "environments", j], ref, envIds, "environment"),
    );
  });
  // A token that failed its own check is still text here (zod refines the whole anyway).
  const tokens = config.monitors.flatMap((m) =>
    m.type !== "heartbeat" ? [] : [m.token instanceof SecretValue ? m.token.reveal() : m.token],
  );
  if (new Set(tokens).size !== tokens.length)
    issue(["monitors"], "two heartbeat monitors share a token");
  config.backups.forEach((b, i) => {
    if (b.source.type !== "external") return;
    const heartbeat = b.source.heartbeat;
    if (config.monitors.find((m) => m.id === heartbeat)?.type !== "heartbeat")
      issue(["backups", i, "source", "heartbeat"], "expected the id of a heartbeat monitor");
  });
  config.maintenanceWindows.forEach((w, i) => {
    for (const [key, list, what] of [
      ["monitors", monitorIds, "monitor"],
      ["services", serviceIds, "service"],
      ["environments", envIds, "environment"],
    ] as const)
      w[key].forEach((ref, j) => known(["maintenanceWindows", i, key, j], ref, list, what, false));
  });
  config.services.forEach((s, i) => {
    for (const envId of Object.keys(s.environments))
      known(["services", i, "environments", envId], envId, envIds, "environment");
  });
  unique(
    "statusPages",
    config.statusPages.map((p) => p.id),
    "status page",
  );
  const paths = config.statusPages.map((p) => p.path);
  duplicates(paths).forEach((dup) =>
    issue(["statusPages", paths.lastIndexOf(dup), "path"], `duplicate status page path "${dup}"`),
  );
  config.statusPages.forEach((p, i) => {
    p.services.forEach((ref, j) =>
      known(["statusPages", i, "services", j], ref, serviceIds, "service"),
    );
    duplicates(p.services).forEach((dup) =>
      issue(
        ["statusPages", i, "services", p.services.lastIndexOf(dup)],
        `service "${dup}" is listed twice`,
      ),
    );
    if (p.environment)
      known(["statusPages", i, "environment"], p.environment, envIds, "environment");
  });
});

/** The config as the rest of Opsdeck sees it: references checked, Opsdeck's own backup job added. */
export const configSchema = referencedConfig
  .superRefine((config, ctx) => {
    if (!config.selfBackup.enabled) return;
    config.backups.forEach((b, i) => {
      if (isSelfBackup(b.id))
        ctx.addIssue({
          code: "custom",
          path: ["backups", i, "id"],
          message: `"${SELF_BACKUP_ID}" is Opsdeck's own backup job (selfBackup); choose another id`,
        });
    });
  })
  .transform((config) =>
    config.selfBackup.enabled
      ? { ...config, backups: [...config.backups, selfBackupJob(config)] }
      : config,
  );

/**
 * The built-in job for Opsdeck's own database: the same verified online backup as any
 * sqlite job, listed with the others. Its service and environment are "opsdeck", which
 * name no configured ones: it is restored with Opsdeck stopped (`npm run restore-self`).
 */
function selfBackupJob(config: z.output<typeof configBase>): z.output<typeof backupJob> {
  const s = config.selfBackup;
  return {
    id: SELF_BACKUP_ID,
    name: "Opsdeck's own database",
    service: SELF_BACKUP_ID,
    environment: SELF_BACKUP_ID,
    source: { type: "sqlite", path: selfDatabaseFile() },
    destination: { type: "local", path: s.path ?? defaultSelfBackupDir() },
    schedule: s.schedule,
    grace: 3_600_000,
    retention: s.retention,
    restoreDrill: s.restoreDrill,
    hooks: {},
  };
}

/** The three checks every cross-reference in the file needs, reporting into `ctx`. */
function referenceChecks(ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  return {
    issue,
    /** Ids must be unique within their list; the later duplicate is the one reported. */
    unique(path: string | (string | number)[], ids: string[], what: string) {
      const base = typeof path === "string" ? [path] : path;
      duplicates(ids).forEach((dup) =>
        issue([...base, ids.lastIndexOf(dup), "id"], `duplicate ${what} id "${dup}"`),
      );
    },
    /** A reference must name something declared; the choices are listed when helpful. */
    known(
      path: (string | number)[],
      ref: string,
      list: readonly string[],
      what: string,
      listChoices = true,
    ) {
      if (list.includes(ref)) return;
      issue(
        path,
        `unknown ${what} "${ref}"${listChoices ? `; expected one of: ${list.join(", ") || "(none)"}` : ""}`,
      );
    },
  };
}

/** Alert rules, channels, routes and on-call refer to each other and to the rest of the file. */
function checkAlertReferences(config: z.output<typeof configBase>, ctx: z.RefinementCtx): void {
  const { unique, known } = referenceChecks(ctx);
  const { alerts, oncall } = config;
  const declared = {
    monitors: config.monitors.map((m) => m.id),
    services: config.services.map((s) => s.id),
    environments: config.environments.map((e) => e.id),
    backups: [
      ...config.backups.map((b) => b.id),
      ...(config.selfBackup.enabled ? [SELF_BACKUP_ID] : []),
    ],
  };
  const channelIds = alerts.channels.map((c) => c.id);
  const policyIds = oncall.escalationPolicies.map((p) => p.id);
  const scheduleIds = oncall.schedules.map((s) => s.id);
  unique(
    ["alerts", "rules"],
    alerts.rules.map((r) => r.id),
    "rule",
  );
  unique(["alerts", "channels"], channelIds, "channel");
  unique(["oncall", "schedules"], scheduleIds, "schedule");
  unique(["oncall", "escalationPolicies"], policyIds, "escalation policy");
  alerts.rules.forEach((rule, i) => {
    const c = rule.condition as Record<string, unknown>;
    for (const key of ["monitors", "services", "environments", "backups"] as const) {
      const refs = c[key];
      if (Array.isArray(refs))
        refs.forEach((ref: string, j: number) =>
          known(["alerts", "rules", i, "condition", key, j], ref, declared[key], key.slice(0, -1)),
        );
    }
  });
  const checkChannels = (path: (string | number)[], list: string[] | undefined) =>
    list?.forEach((ref, j) => known([...path, j], ref, channelIds, "channel"));
  const walk = (r: RouteConfig, path: (string | number)[]) => {
    checkChannels([...path, "channels"], r.channels);
    if (r.escalation) known([...path, "escalation"], r.escalation, policyIds, "escalation policy");
    r.routes.forEach((child, i) => walk(child, [...path, "routes", i]));
  };
  walk(alerts.route, ["alerts", "route"]);
  oncall.escalationPolicies.forEach((p, i) =>
    p.levels.forEach((level, j) => {
      checkChannels(["oncall", "escalationPolicies", i, "levels", j, "channels"], level.channels);
      level.notify.forEach((t, k) => {
        if ("schedule" in t)
          known(
            ["oncall", "escalationPolicies", i, "levels", j, "notify", k, "schedule"],
            t.schedule,
            scheduleIds,
            "schedule",
          );
      });
    }),
  );
}

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

export type OpsdeckConfig = z.output<typeof configSchema>;

/** Every variable the config hands to a command (deploy commands, backup commands, hooks). */
export function childEnvNames(config: OpsdeckConfig): string[] {
  const names = new Set<string>();
  for (const s of config.services)
    for (const e of Object.values(s.environments))
      if (e.deploy?.provider === "command") e.deploy.env?.forEach((n) => names.add(n));
  for (const b of config.backups) {
    if (b.source.type === "command") b.source.env?.forEach((n) => names.add(n));
    b.hooks.env?.forEach((n) => names.add(n));
  }
  return [...names];
}
export type EnvironmentConfig = OpsdeckConfig["environments"][number];
export type ServiceConfig = OpsdeckConfig["services"][number];
export type OidcConfig = NonNullable<OpsdeckConfig["auth"]["oidc"]>;
export type MonitorConfig = OpsdeckConfig["monitors"][number];
export type HttpMonitorConfig = Extract<MonitorConfig, { type: "http" }>;
export type TcpMonitorConfig = Extract<MonitorConfig, { type: "tcp" }>;
export type TlsMonitorConfig = Extract<MonitorConfig, { type: "tls" }>;
export type HeartbeatMonitorConfig = Extract<MonitorConfig, { type: "heartbeat" }>;
export type MaintenanceWindowConfig = OpsdeckConfig["maintenanceWindows"][number];
export type BackupJobConfig = OpsdeckConfig["backups"][number];
export type DeployTargetConfig = NonNullable<ServiceConfig["environments"][string]["deploy"]>;
export type StatusPageConfig = OpsdeckConfig["statusPages"][number];
export type IntegrationConfig = OpsdeckConfig["integrations"][number];
export type AlertsConfig = OpsdeckConfig["alerts"];
export type AlertRuleConfig = AlertsConfig["rules"][number];
export type ConditionConfig = AlertRuleConfig["condition"];
export type ChannelConfig = AlertsConfig["channels"][number];
export type OncallConfig = OpsdeckConfig["oncall"];
export type ScheduleConfig = OncallConfig["schedules"][number];
export type EscalationPolicyConfig = OncallConfig["escalationPolicies"][number];
export type { RouteConfig };
