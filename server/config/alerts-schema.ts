import "server-only";
import { z } from "zod";
import { parseMatcher } from "@/lib/alerts/matchers";
import { checkedSecret, cron, duration, httpUrl, id, secretString } from "./schema-parts";

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/, "expected a label name (letters, digits, _)");
const labels = z.record(labelName, z.string().max(200)).default({});

/** "severity=critical", "service!=web", "alertname=~latency-.*" (Alertmanager's matcher syntax). */
const matcher = z.string().transform((text, ctx) => {
  const parsed = parseMatcher(text);
  if (typeof parsed === "string") {
    ctx.addIssue({ code: "custom", message: parsed });
    return z.NEVER;
  }
  return parsed;
});
const matchers = z.array(matcher).max(20).default([]);

/** Which monitors a condition watches; with none of the three, every monitor of its kind. */
const monitorSelector = {
  monitors: z.array(id).default([]),
  services: z.array(id).default([]),
  environments: z.array(id).default([]),
};

const DEPLOY_EVENTS = ["started", "succeeded", "failed"] as const;

/**
 * What a rule watches. Each type is one evaluator in server/alerts/conditions; a
 * metric threshold or an anomaly rule is one more member of this union and one
 * more evaluator, nothing else changes.
 */
export const conditionSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("monitor"),
      ...monitorSelector,
      status: z
        .array(z.enum(["down", "degraded"]))
        .min(1)
        .default(["down"]),
    }),
    z.strictObject({
      type: z.literal("latency"),
      ...monitorSelector,
      percentile: z.number().min(50).max(99.9).default(95),
      threshold: duration({ min: 1, max: 120_000 }),
      window: duration({ min: 60_000, max: 86_400_000 }).default(300_000),
    }),
    z.strictObject({
      type: z.literal("uptime"),
      ...monitorSelector,
      window: duration({ min: 3_600_000, max: 90 * 86_400_000 }).default(30 * 86_400_000),
      /** Percent, e.g. 99.9. */
      target: z.number().min(0).max(100),
      /** Fewer counted checks than this in the window: too little data to judge. */
      minChecks: z.number().int().min(1).max(1_000_000).default(100),
    }),
    z.strictObject({
      type: z.literal("heartbeat"),
      ...monitorSelector,
      status: z
        .array(z.enum(["late", "down"]))
        .min(1)
        .default(["down"]),
    }),
    z.strictObject({
      type: z.literal("tls"),
      ...monitorSelector,
      days: z.number().int().min(0).max(365).default(14),
    }),
    z
      .strictObject({
        type: z.literal("backup"),
        backups: z.array(id).default([]),
        /** Fires when the newest verified backup is older than this. */
        maxAge: duration({ min: 60_000, max: 90 * 86_400_000 }).optional(),
        /** Fires when the newest finished backup failed. */
        onFailure: z.boolean().default(true),
      })
      .refine((c) => c.maxAge !== undefined || c.onFailure, {
        message: "give maxAge, onFailure: true, or both",
      }),
    z.strictObject({
      type: z.literal("deployment"),
      services: z.array(id).default([]),
      environments: z.array(id).default([]),
      /** Deployments, rollbacks (and redeploys made here), or both. */
      kinds: z
        .array(z.enum(["deployment", "rollback"]))
        .min(1)
        .default(["deployment", "rollback"]),
      events: z.array(z.enum(DEPLOY_EVENTS)).min(1),
      /** How long after the event the alert stays active (it resolves by itself). */
      within: duration({ min: 60_000, max: 86_400_000 }).default(600_000),
    }),
    z.strictObject({
      type: z.literal("job"),
      /** Job kinds ("backup.run", "deploy.action"…); none means every kind. */
      kinds: z.array(z.string().min(1).max(60)).default([]),
      within: duration({ min: 60_000, max: 86_400_000 }).default(900_000),
    }),
  ],
  {
    error:
      'expected condition.type to be one of "monitor", "latency", "uptime", "heartbeat", "tls", "backup", "deployment", "job"',
  },
);

const rule = z.strictObject({
  id,
  name: z.string().min(1).max(120).optional(),
  severity: z.enum(["critical", "warning", "info"]),
  labels,
  condition: conditionSchema,
  /** How long the condition must hold before the alert fires. */
  for: duration({ min: 0, max: 7 * 86_400_000 }).default(0),
  /** How long it keeps firing after the condition clears, so a flapping check does not page twice. */
  keepFiringFor: duration({ min: 0, max: 7 * 86_400_000 }).default(0),
  /** A URL, or a path in Opsdeck such as /runbooks/uptime-incident. */
  runbook: z
    .string()
    .max(2000)
    .regex(/^(https?:\/\/|\/)/, "expected a URL or a path starting with /")
    .optional(),
  summary: z.string().min(1).max(500).optional(),
});

const smtp = z.strictObject({
  host: z.string().min(1).max(253),
  port: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().int().min(1).max(65535))
    .default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  requireTLS: z.boolean().default(false),
  user: z.string().min(1).max(320).optional(),
  password: secretString.optional(),
});

const email = z.string().email("expected an email address").max(320);

export const channelSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      id,
      name: z.string().min(1).max(80).optional(),
      type: z.literal("slack"),
      /** The incoming webhook URL: it is the credential, so it comes from ${VAR}. */
      webhookUrl: secretString.refine(
        (v) => /^https?:\/\//.test(v.reveal()),
        "expected an http(s) URL",
      ),
      /** Minimum gap between messages; Slack allows about one per second per webhook. */
      minInterval: duration({ min: 0, max: 60_000 }).default(1000),
    }),
    z.strictObject({
      id,
      name: z.string().min(1).max(80).optional(),
      type: z.literal("email"),
      from: z.string().min(3).max(320),
      to: z.array(email).max(50).default([]),
      smtp,
    }),
    z.strictObject({
      id,
      name: z.string().min(1).max(80).optional(),
      type: z.literal("webhook"),
      url: httpUrl,
      secret: checkedSecret,
      timeout: duration({ min: 1000, max: 60_000 }).default(10_000),
    }),
  ],
  { error: 'expected channel type to be one of "slack", "email", "webhook"' },
);

type RouteInput = {
  matchers?: string[];
  channels?: string[];
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  sendResolved?: boolean;
  escalation?: string;
  digest?: boolean;
  continue?: boolean;
  routes?: RouteInput[];
};

const routeFields = {
  matchers,
  /** Channels that get this route's notifications; inherited from the parent when omitted. */
  channels: z.array(id).optional(),
  groupBy: z.array(labelName).optional(),
  groupWait: duration({ min: 0, max: 3_600_000 }).optional(),
  groupInterval: duration({ min: 1000, max: 86_400_000 }).optional(),
  repeatInterval: duration({ min: 60_000, max: 30 * 86_400_000 }).optional(),
  sendResolved: z.boolean().optional(),
  /** An escalation policy: alerts on this route page the on-call person until acknowledged. */
  escalation: id.optional(),
  /** Collected into the daily digest instead of being sent one by one. */
  digest: z.boolean().optional(),
  /** Keep matching the next sibling routes after this one matched. */
  continue: z.boolean().default(false),
};

export type RouteConfig = {
  matchers: z.output<typeof matcher>[];
  channels?: string[];
  groupBy?: string[];
  groupWait?: number;
  groupInterval?: number;
  repeatInterval?: number;
  sendResolved?: boolean;
  escalation?: string;
  digest?: boolean;
  continue: boolean;
  routes: RouteConfig[];
};

const route: z.ZodType<RouteConfig, RouteInput> = z.lazy(() =>
  z.strictObject({ ...routeFields, routes: z.array(route).max(100).default([]) }),
);

const inhibitRule = z.strictObject({
  /** Alerts that, while firing, hold others back… */
  source: z.array(matcher).min(1),
  /** …the alerts held back… */
  target: z.array(matcher).min(1),
  /** …when they have the same values of these labels. */
  equal: z.array(labelName).default([]),
});

export const alertsSchema = z
  .strictObject({
    evaluationInterval: duration({ min: 1000, max: 600_000 }).default(15_000),
    rules: z.array(rule).default([]),
    channels: z.array(channelSchema).default([]),
    route: z
      .strictObject({
        ...routeFields,
        groupBy: z.array(labelName).default(["alertname", "service", "environment"]),
        groupWait: duration({ min: 0, max: 3_600_000 }).default(30_000),
        groupInterval: duration({ min: 1000, max: 86_400_000 }).default(300_000),
        repeatInterval: duration({ min: 60_000, max: 30 * 86_400_000 }).default(4 * 3_600_000),
        sendResolved: z.boolean().default(true),
        channels: z.array(id).default([]),
        routes: z.array(route).max(100).default([]),
      })
      .default({
        matchers: [],
        groupBy: ["alertname", "service", "environment"],
        groupWait: 30_000,
        groupInterval: 300_000,
        repeatInterval: 4 * 3_600_000,
        sendResolved: true,
        channels: [],
        continue: false,
        routes: [],
      }),
    inhibitRules: z.array(inhibitRule).default([]),
    /** When digest routes send their summary (cron, UTC), and to which channels by default. */
    digest: z
      .strictObject({ schedule: cron.default("0 8 * * *") })
      .default({ schedule: "0 8 * * *" }),
    /** Undeliverable notifications are retried for this long, then given up. */
    retryFor: duration({ min: 60_000, max: 7 * 86_400_000 }).default(86_400_000),
  })
  .default({
    evaluationInterval: 15_000,
    rules: [],
    channels: [],
    route: {
      matchers: [],
      groupBy: ["alertname", "service", "environment"],
      groupWait: 30_000,
      groupInterval: 300_000,
      repeatInterval: 4 * 3_600_000,
      sendResolved: true,
      channels: [],
      continue: false,
      routes: [],
    },
    inhibitRules: [],
    digest: { schedule: "0 8 * * *" },
    retryFor: 86_400_000,
  });

const WEEKDAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;

const layer = z.strictObject({
  name: z.string().min(1).max(80),
  people: z.array(email).min(1).max(100),
  rotation: z.enum(["daily", "weekly"]).default("weekly"),
  handoff: z
    .strictObject({
      weekday: z.enum(WEEKDAYS).default("monday"),
      time: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time such as "09:00"')
        .default("09:00"),
    })
    .default({ weekday: "monday", time: "09:00" }),
  /** Local date of the first shift: people[0] takes it. */
  start: z.iso.date({ error: 'expected a date such as "2026-01-05"' }),
  /** Only these local hours each day (e.g. business hours over a 24/7 layer); "22:00"–"06:00" spans midnight. */
  window: z
    .strictObject({
      from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time such as "09:00"'),
      to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time such as "17:00"'),
    })
    .optional(),
});

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "expected an IANA time zone such as Europe/Berlin");

const schedule = z.strictObject({
  id,
  name: z.string().min(1).max(80).optional(),
  timeZone: timeZone.default("UTC"),
  /** Later layers override earlier ones where they have someone on call. */
  layers: z.array(layer).min(1).max(10),
});

const escalationTarget = z.union([
  z.strictObject({ schedule: id }),
  z.strictObject({ user: email }),
]);

const escalationPolicy = z.strictObject({
  id,
  name: z.string().min(1).max(80).optional(),
  /** Unacknowledged for this long: the next level is notified. */
  ackTimeout: duration({ min: 60_000, max: 86_400_000 }).default(900_000),
  /** How many more times to go through all levels when nobody acknowledges. */
  repeat: z.number().int().min(0).max(10).default(1),
  levels: z
    .array(
      z.strictObject({
        notify: z.array(escalationTarget).min(1).max(20),
        /** Email channels send to the person's address; others mention the person. */
        channels: z.array(id).min(1).max(10),
      }),
    )
    .min(1)
    .max(10),
});

export const oncallSchema = z
  .strictObject({
    schedules: z.array(schedule).default([]),
    escalationPolicies: z.array(escalationPolicy).default([]),
  })
  .default({ schedules: [], escalationPolicies: [] });

export { WEEKDAYS };
