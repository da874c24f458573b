import "server-only";
import type { ChannelConfig } from "@/server/config/schema";
import type { NotificationPayload } from "../payload";
import { httpFailure, networkFailure, type Outcome } from "./outcome";
import { textLines, titleMark, where, whenLine } from "./render";

type SlackChannel = Extract<ChannelConfig, { type: "slack" }>;

const MAX_ALERT_SECTIONS = 10;

/**
 * Slack's control characters in text that came from outside (a deploy's author, an
 * error message): without this, "<!channel>" would ping everyone and "<url|text>" would
 * make a link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
const md = escapeMrkdwn;

/** Block Kit: a header, one section per alert (severity, service, environment, summary), links. */
export function slackMessage(p: NotificationPayload): { text: string; blocks: unknown[] } {
  const mark = titleMark(p);
  const blocks: unknown[] = [
    {
      type: "header",
      text: { type: "plain_text", text: `${mark} ${p.title}`.slice(0, 150), emoji: true },
    },
  ];
  if (p.page)
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*Paging:* ${md(p.page.people.join(", ")) || "_nobody is on call_"} (level ${p.page.level + 1})`,
      },
    });
  if (p.text)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: md(p.text).slice(0, 2900) } });
  for (const a of p.alerts.slice(0, MAX_ALERT_SECTIONS)) {
    const links = [
      a.ackUrl ? `<${a.ackUrl}|Acknowledge>` : null,
      `<${a.url}|Open in Opsdeck>`,
      a.runbook ? `<${a.runbook}|Runbook>` : null,
    ]
      .filter(Boolean)
      .join(" · ");
    blocks.push(
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: `*Severity*\n${a.severity}` },
          { type: "mrkdwn", text: `*Status*\n${a.status}` },
          { type: "mrkdwn", text: `*Service*\n${md(a.labels.service ?? "—")}` },
          { type: "mrkdwn", text: `*Environment*\n${md(a.labels.environment ?? "—")}` },
        ],
      },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `*${md(a.name)}*${where(a) ? ` (${md(where(a))})` : ""}\n${md(a.summary)}`.slice(
            0,
            2900,
          ),
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `${whenLine(a).replace(", resolved", " · resolved")} · ${links}`,
          },
        ],
      },
    );
  }
  if (p.alerts.length > MAX_ALERT_SECTIONS)
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `…and ${p.alerts.length - MAX_ALERT_SECTIONS} more: <${p.url}|all alerts>`,
        },
      ],
    });
  return { text: md(textLines(p).slice(0, 3).join("\n")).slice(0, 3000), blocks };
}

/** POSTs to an incoming webhook: 200 "ok" is success; Slack's 4xx errors are permanent. */
export async function sendSlack(channel: SlackChannel, p: NotificationPayload): Promise<Outcome> {
  let res: Response;
  try {
    res = await fetch(channel.webhookUrl.reveal(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(slackMessage(p)),
      signal: AbortSignal.timeout(10_000),
      redirect: "error",
    });
  } catch (err) {
    return networkFailure(err);
  }
  const body = await res.text().catch(() => "");
  if (res.ok) return { ok: true };
  return httpFailure(res.status, body, res.headers.get("retry-after"));
}
