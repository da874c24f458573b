import { z } from "zod";
import { matches, parseMatcher, type Matcher } from "@/lib/alerts/matchers";

const alertId = z
  .number({ error: "expected an alert id" })
  .int("expected an alert id")
  .positive("expected an alert id");

export const ALERT_NOTE_MAX = 1000;

/** What the person acknowledging or resolving says; shown on the alert's timeline. Blank is none. */
const note = z
  .string({ error: "a note is text" })
  .trim()
  .max(ALERT_NOTE_MAX, `a note is at most ${ALERT_NOTE_MAX} characters`)
  .optional()
  .transform((v) => v || undefined);

export const ackAlertInput = z.strictObject({ alertId, note });

/** The token from an acknowledge link in a Slack message or an email. */
export const ackAlertByLinkInput = z.strictObject({
  token: z
    .string({ error: "expected an acknowledge link" })
    .min(1, "expected an acknowledge link")
    .max(1024, "this acknowledge link is not valid"),
  note,
});

export const resolveAlertInput = z.strictObject({
  alertId,
  /** The alert fired though nothing was wrong: counted against the rule's false-positive share. */
  falsePositive: z.boolean().default(false),
  note,
});

const matcher = z
  .string()
  .max(500, "a matcher is at most 500 characters")
  .transform((text, ctx): Matcher => {
    const parsed = parseMatcher(text);
    if (typeof parsed === "string") {
      ctx.addIssue({ code: "custom", message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

const MAX_SILENCE_MS = 90 * 86_400_000;

export const createSilenceInput = z
  .strictObject({
    matchers: z
      .array(matcher)
      .min(1, "a silence needs at least one matcher")
      .max(20, "at most 20 matchers"),
    /** ISO time; defaults to now. */
    startsAt: z.iso.datetime({ offset: true, error: "expected an ISO time" }).optional(),
    endsAt: z.iso.datetime({ offset: true, error: "expected an ISO time" }),
    comment: z
      .string()
      .trim()
      .min(3, "say why (at least 3 characters)")
      .max(500, "at most 500 characters"),
  })
  .superRefine((s, ctx) => {
    const start = s.startsAt ? Date.parse(s.startsAt) : Date.now();
    const end = Date.parse(s.endsAt);
    if (end <= start)
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after the start" });
    else if (end - start > MAX_SILENCE_MS)
      ctx.addIssue({
        code: "custom",
        path: ["endsAt"],
        message: "a silence lasts at most 90 days",
      });
    else if (end <= Date.now())
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be in the future" });
    // Alertmanager's rule: a matcher that matches a missing label matches every alert.
    if (s.matchers.every((m) => matches(m, {})))
      ctx.addIssue({
        code: "custom",
        path: ["matchers"],
        message:
          "these matchers match every alert; at least one must require a label value (such as alertname=…)",
      });
  });

export const expireSilenceInput = z.strictObject({
  silenceId: z.number().int().positive("expected a silence id"),
});

export const sendTestNotificationInput = z.strictObject({
  channelId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "unknown channel"),
});

export const createOverrideInput = z
  .strictObject({
    scheduleId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "unknown schedule"),
    person: z.string().trim().email("expected an email address").max(320),
    startsAt: z.iso.datetime({ offset: true, error: "expected an ISO time" }),
    endsAt: z.iso.datetime({ offset: true, error: "expected an ISO time" }),
    reason: z.string().trim().max(500, "at most 500 characters").optional(),
  })
  .superRefine((o, ctx) => {
    const start = Date.parse(o.startsAt);
    const end = Date.parse(o.endsAt);
    if (end <= start)
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after the start" });
    else if (end - start > 31 * 86_400_000)
      ctx.addIssue({
        code: "custom",
        path: ["endsAt"],
        message: "an override lasts at most 31 days",
      });
    if (end <= Date.now())
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be in the future" });
  });

export const deleteOverrideInput = z.strictObject({
  overrideId: z.number().int().positive("expected an override id"),
});

export const calendarTokenInput = z.strictObject({});
