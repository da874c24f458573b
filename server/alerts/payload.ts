import "server-only";
import { env } from "@/env";
import type { Labels } from "@/lib/alerts/matchers";
import type { AlertRuleConfig } from "@/server/config/schema";
import type { AlertRow } from "@/server/db/schema";

export type PayloadAlert = {
  id: number;
  rule: string;
  name: string;
  severity: "critical" | "warning" | "info";
  /** "event": sent once by an event rule; it never resolves. */
  status: "firing" | "resolved" | "event";
  summary: string;
  labels: Labels;
  startsAt: string;
  endsAt: string | null;
  runbook: string | null;
  url: string;
  /** Added at delivery for firing alerts (Slack, email): a signed, single-use acknowledge link. */
  ackUrl?: string;
};

/**
 * What a notification says, independent of the channel: stored in the outbox row so
 * that every retry sends exactly the same message. Channels render it (Slack blocks,
 * email, JSON).
 */
export type NotificationPayload = {
  version: 1;
  kind: "firing" | "resolved" | "test" | "escalation" | "digest" | "event" | "ack";
  status: "firing" | "resolved" | "event";
  title: string;
  severity: "critical" | "warning" | "info";
  groupLabels: Labels;
  /** Opsdeck's alerts page. */
  url: string;
  alerts: PayloadAlert[];
  /** For escalations: who is being paged, at which level. */
  page?: { people: string[]; level: number; round: number; ackTimeoutMs: number };
  /** Extra lines (the test message, the digest's summary). */
  text?: string;
};

export function opsdeckUrl(path = ""): string {
  return `${(env.OPSDECK_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "")}${path}`;
}

export function absoluteLink(link: string | undefined): string | null {
  if (!link) return null;
  return link.startsWith("/") ? opsdeckUrl(link) : link;
}

const RANK = { critical: 3, warning: 2, info: 1 } as const;

export function worstSeverity(list: readonly { severity: keyof typeof RANK }[]) {
  return list.reduce<keyof typeof RANK>(
    (worst, a) => (RANK[a.severity] > RANK[worst] ? a.severity : worst),
    "info",
  );
}

export function payloadAlert(row: AlertRow, rule: AlertRuleConfig | undefined): PayloadAlert {
  return {
    id: row.id,
    rule: row.ruleId,
    name: rule?.name ?? row.ruleId,
    severity: row.severity,
    status: row.state === "event" ? "event" : row.state === "firing" ? "firing" : "resolved",
    summary: rule?.summary ?? row.summary,
    labels: row.labels,
    startsAt: (row.firedAt ?? row.activeAt).toISOString(),
    endsAt: row.resolvedAt?.toISOString() ?? null,
    runbook: absoluteLink(rule?.runbook),
    url: opsdeckUrl(`/alerts/${row.id}`),
  };
}

/**
 * "[FIRING:2] backend-down (backend production)"; what Alertmanager's default title says.
 * Events: "Rollback finished (backend production)", with a count when several are sent together.
 */
export function groupTitle(
  status: "firing" | "resolved" | "event",
  alerts: readonly PayloadAlert[],
  groupLabels: Labels,
): string {
  const firing = alerts.filter((a) => a.status === "firing").length;
  const names = [...new Set(alerts.map((a) => a.name))].slice(0, 3).join(", ");
  const where = [groupLabels.service, groupLabels.environment].filter(Boolean).join(" ");
  if (status === "event")
    return `${names}${alerts.length > 1 ? ` (${alerts.length} events)` : ""}${where ? ` (${where})` : ""}`;
  const head = status === "firing" ? `[FIRING:${firing}]` : "[RESOLVED]";
  return `${head} ${names}${where ? ` (${where})` : ""}`;
}
