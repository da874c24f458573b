import "server-only";
import { formatHumanTime } from "@/lib/format";
import type { NotificationPayload, PayloadAlert } from "../payload";

export const SEVERITY_MARK = { critical: "🔴", warning: "🟠", info: "🔵" } as const;

/** The mark before a message's title: resolved, acknowledged, or the severity. */
export function titleMark(p: Pick<NotificationPayload, "kind" | "status" | "severity">): string {
  if (p.kind === "ack") return "👀";
  return p.status === "resolved" ? "✅" : SEVERITY_MARK[p.severity];
}

/** "backend · production" from an alert's labels. */
export function where(a: Pick<PayloadAlert, "labels">): string {
  return [a.labels.service, a.labels.environment].filter(Boolean).join(" · ");
}

/** When it happened: an event at one moment, an alert since it fired (and until it resolved). */
export function whenLine(a: Pick<PayloadAlert, "status" | "startsAt" | "endsAt">): string {
  if (a.status === "event") return `At ${formatHumanTime(a.startsAt)}`;
  return `Since ${formatHumanTime(a.startsAt)}${a.endsAt ? `, resolved ${formatHumanTime(a.endsAt)}` : ""}`;
}

const STATUS_WORD = { firing: "FIRING", resolved: "RESOLVED", event: "EVENT" } as const;

/** The message as plain text lines: email's text part, Slack's fallback. */
export function textLines(p: NotificationPayload): string[] {
  const lines = [p.title, ""];
  if (p.page)
    lines.push(
      `Paging: ${p.page.people.join(", ") || "nobody is on call"} (level ${p.page.level + 1}). Acknowledge within ${Math.round(p.page.ackTimeoutMs / 60_000)} min or the next level is paged.`,
      "",
    );
  if (p.text) lines.push(p.text, "");
  for (const a of p.alerts) {
    lines.push(
      `${STATUS_WORD[a.status]} [${a.severity}] ${a.name}${where(a) ? ` (${where(a)})` : ""}`,
      `  ${a.summary}`,
      `  ${whenLine(a)}`,
      `  Opsdeck: ${a.url}`,
    );
    if (a.ackUrl) lines.push(`  Acknowledge: ${a.ackUrl}`);
    if (a.runbook) lines.push(`  Runbook: ${a.runbook}`);
    lines.push("");
  }
  lines.push(`All alerts: ${p.url}`);
  return lines;
}
