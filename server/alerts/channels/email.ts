import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import type { ChannelConfig } from "@/server/config/schema";
import type { NotificationPayload } from "../payload";
import type { Outcome } from "./outcome";
import { textLines, titleMark, where, whenLine } from "./render";

type EmailChannel = Extract<ChannelConfig, { type: "email" }>;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function emailHtml(p: NotificationPayload): string {
  const colour = { critical: "#b91c1c", warning: "#c2410c", info: "#0369a1" } as const;
  const rows = p.alerts
    .map((a) => {
      const links = [
        a.ackUrl ? `<a href="${escape(a.ackUrl)}">Acknowledge</a>` : "",
        `<a href="${escape(a.url)}">Open in Opsdeck</a>`,
        a.runbook ? `<a href="${escape(a.runbook)}">Runbook</a>` : "",
      ]
        .filter(Boolean)
        .join(" · ");
      return `<tr><td style="padding:8px;border-top:1px solid #e2e8f0">
<div style="font-weight:600;color:${a.status === "resolved" ? "#15803d" : colour[a.severity]}">${a.status === "resolved" ? "RESOLVED" : a.severity.toUpperCase()} · ${escape(a.name)}${where(a) ? ` · ${escape(where(a))}` : ""}</div>
<div>${escape(a.summary)}</div>
<div style="color:#64748b;font-size:12px">${escape(whenLine(a))} · ${links}</div>
</td></tr>`;
    })
    .join("\n");
  const page = p.page
    ? `<p><strong>Paging:</strong> ${escape(p.page.people.join(", ") || "nobody is on call")} (level ${p.page.level + 1}). Acknowledge within ${Math.round(p.page.ackTimeoutMs / 60_000)} minutes or the next level is paged.</p>`
    : "";
  const text = p.text ? `<p>${escape(p.text).replace(/\n/g, "<br>")}</p>` : "";
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<h2 style="font-size:18px">${escape(p.title)}</h2>${page}${text}
<table style="border-collapse:collapse;width:100%">${rows}</table>
<p><a href="${escape(p.url)}">All alerts in Opsdeck</a></p></body></html>`;
}

const transports = new Map<string, Transporter>();

function transportFor(channel: EmailChannel): Transporter {
  const key = `${channel.id}|${channel.smtp.host}|${channel.smtp.port}|${channel.smtp.user ?? ""}`;
  let t = transports.get(key);
  if (!t) {
    t = nodemailer.createTransport({
      host: channel.smtp.host,
      port: channel.smtp.port,
      secure: channel.smtp.secure,
      requireTLS: channel.smtp.requireTLS,
      auth: channel.smtp.user
        ? { user: channel.smtp.user, pass: channel.smtp.password?.reveal() ?? "" }
        : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    transports.set(key, t);
  }
  return t;
}

/** SMTP 5xx replies are permanent (except a refused login); 4xx and connection errors are retried. */
export async function sendEmail(
  channel: EmailChannel,
  p: NotificationPayload,
  recipient: string | null,
): Promise<Outcome> {
  const to = recipient ? [recipient] : channel.to;
  if (to.length === 0)
    return { ok: false, permanent: true, error: "the channel has no recipients (to: [])" };
  const mark = titleMark(p);
  try {
    await transportFor(channel).sendMail({
      from: channel.from,
      to,
      subject: `${mark} ${p.title}`,
      text: textLines(p).join("\n"),
      html: emailHtml(p),
    });
    return { ok: true };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // A refused address or message will be refused again; a refused login may be
    // fixed by a config reload, so it is retried like a connection failure.
    const permanent =
      e.code === "EENVELOPE" ||
      (e.code !== "EAUTH" && e.responseCode !== undefined && e.responseCode >= 500);
    return {
      ok: false,
      permanent,
      error: `${e.responseCode ? `SMTP ${e.responseCode}: ` : ""}${(e.message ?? String(err)).slice(0, 300)}`,
    };
  }
}

export function closeTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
