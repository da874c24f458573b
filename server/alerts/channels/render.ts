import "server-only";
import type { NotificationPayload, PayloadAlert } from "../payload";

export const SEVERITY_MARK = { critical: "🔴", warning: "🟠", info: "🔵" } as const;

/** "backend · production" from an alert's labels. */
export function where(a: Pick<PayloadAlert, "labels">): string {
  return [a.labels.service, a.labels.environment].filter(Boolean).join(" · ");
}

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
      `${a.status === "firing" ? "FIRING" : "RESOLVED"} [${a.severity}] ${a.name}${where(a) ? ` (${where(a)})` : ""}`,
      `  ${a.summary}`,
      `  Since ${a.startsAt}${a.endsAt ? `, resolved ${a.endsAt}` : ""}`,
      `  Opsdeck: ${a.url}`,
    );
    if (a.runbook) lines.push(`  Runbook: ${a.runbook}`);
    lines.push("");
  }
  lines.push(`All alerts: ${p.url}`);
  return lines;
}
