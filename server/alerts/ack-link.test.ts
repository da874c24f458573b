import { describe, expect, it } from "vitest";
import { emailHtml } from "./channels/email";
import { textLines } from "./channels/render";
import { slackMessage } from "./channels/slack";
import {
  ACK_LINK_TTL_MS,
  hashAckToken,
  signAckToken,
  verifyAckToken,
  withAckLinks,
} from "./ack-link";
import type { NotificationPayload, PayloadAlert } from "./payload";

const SECRET = "unit-test-session-secret-0123456789abcdef";
const t0 = Date.parse("2026-12-02T10:00:00Z");
const claims = { alertId: 42, recipient: "alice@example.com", expiresAt: t0 + ACK_LINK_TTL_MS };

const alert = (id: number, status: PayloadAlert["status"]): PayloadAlert => ({
  id,
  rule: "down",
  name: "Backend down",
  severity: "critical",
  status,
  summary: "the health check fails",
  labels: { service: "backend", environment: "production" },
  startsAt: new Date(t0).toISOString(),
  endsAt: status === "resolved" ? new Date(t0 + 60_000).toISOString() : null,
  runbook: null,
  url: `http://opsdeck.test/alerts/${id}`,
});
const payload: NotificationPayload = {
  version: 1,
  kind: "firing",
  status: "firing",
  title: "[FIRING:1] Backend down",
  severity: "critical",
  groupLabels: {},
  url: "http://opsdeck.test/alerts",
  alerts: [alert(42, "firing"), alert(7, "resolved")],
};
const tokenOf = (url: string) => url.split("/alerts/ack/")[1]!;

describe("acknowledge link tokens", () => {
  it("verify what was signed: the alert, the person, the expiry", () => {
    const token = signAckToken(claims, SECRET);
    expect(verifyAckToken(token, t0, SECRET)).toEqual({ ok: true, claims });
    // The same claims give the same token, so a retried message carries the same link.
    expect(signAckToken(claims, SECRET)).toBe(token);
    expect(token).toMatch(/^ack1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it("expire after 24 hours", () => {
    const token = signAckToken(claims, SECRET);
    expect(verifyAckToken(token, t0 + ACK_LINK_TTL_MS - 1, SECRET).ok).toBe(true);
    expect(verifyAckToken(token, t0 + ACK_LINK_TTL_MS, SECRET)).toMatchObject({
      ok: false,
      reason: "expired",
    });
  });

  it("refuse any change to the claims, the signature, or another key", () => {
    const token = signAckToken(claims, SECRET);
    const [prefix, , sig] = token.split(".");
    const other = Buffer.from(
      JSON.stringify({ a: 43, r: claims.recipient, e: claims.expiresAt }),
    ).toString("base64url");
    expect(verifyAckToken(`${prefix}.${other}.${sig}`, t0, SECRET)).toMatchObject({
      ok: false,
      reason: "tampered",
    });
    const later = Buffer.from(
      JSON.stringify({ a: 42, r: claims.recipient, e: claims.expiresAt + 86_400_000 }),
    ).toString("base64url");
    expect(verifyAckToken(`${prefix}.${later}.${sig}`, t0, SECRET).ok).toBe(false);
    const flipped = token.slice(0, -2) + (token.endsWith("AA") ? "BB" : "AA");
    expect(verifyAckToken(flipped, t0, SECRET)).toMatchObject({ ok: false, reason: "tampered" });
    expect(verifyAckToken(token, t0, "another-secret-0123456789abcdef0123456")).toMatchObject({
      ok: false,
      reason: "tampered",
    });
    for (const bad of [
      "",
      "ack1",
      "ack1..",
      `${token}.x`,
      "x".repeat(2000),
      `ack2${token.slice(4)}`,
    ])
      expect(verifyAckToken(bad, t0, SECRET)).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("have one spelling: base64url's spare bits cannot turn a used link into a new one", () => {
    const token = signAckToken(claims, SECRET);
    const last = token.at(-1)!;
    // The last of 43 characters carries 4 bits and 2 spare ones: flip a spare bit.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const respelt = token.slice(0, -1) + twin;
    expect(Buffer.from(respelt.split(".")[2]!, "base64url")).toEqual(
      Buffer.from(token.split(".")[2]!, "base64url"),
    );
    expect(verifyAckToken(respelt, t0, SECRET)).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("are kept as a hash, never as themselves", () => {
    const token = signAckToken(claims, SECRET);
    expect(hashAckToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAckToken(token)).not.toContain(token.split(".")[2]);
  });
});

describe("acknowledge links in messages", () => {
  const row = {
    kind: "escalation" as const,
    recipient: "alice@example.com",
    channelId: "pager",
    createdAt: new Date(t0),
  };

  it("each firing alert gets a link for whoever the row goes to, expiring a day after it was queued", () => {
    const sent = withAckLinks(payload, row, SECRET);
    const [firing, resolved] = sent.alerts;
    expect(resolved!.ackUrl).toBeUndefined();
    expect(firing!.ackUrl).toMatch(/^http:\/\/.+\/alerts\/ack\/ack1\./);
    expect(verifyAckToken(tokenOf(firing!.ackUrl!), t0, SECRET)).toEqual({ ok: true, claims });
    // A channel message is tied to the channel.
    const channel = withAckLinks(payload, { ...row, kind: "firing", recipient: null }, SECRET);
    expect(verifyAckToken(tokenOf(channel.alerts[0]!.ackUrl!), t0, SECRET)).toMatchObject({
      ok: true,
      claims: { recipient: "channel:pager" },
    });
    // The stored payload is left as it was (the link is never written to the outbox).
    expect(payload.alerts[0]!.ackUrl).toBeUndefined();
  });

  it("resolved, test, digest and acknowledgement messages carry none", () => {
    for (const kind of ["resolved", "test", "digest", "ack", "event"] as const)
      expect(withAckLinks(payload, { ...row, kind }, SECRET).alerts[0]!.ackUrl).toBeUndefined();
  });

  it("Slack, the email's HTML and its text part show the link", () => {
    const sent = withAckLinks(payload, row, SECRET);
    const url = sent.alerts[0]!.ackUrl!;
    expect(JSON.stringify(slackMessage(sent).blocks)).toContain(`<${url}|Acknowledge>`);
    expect(emailHtml(sent)).toContain(`<a href="${url}">Acknowledge</a>`);
    expect(textLines(sent)).toContain(`  Acknowledge: ${url}`);
    expect(JSON.stringify(slackMessage(payload).blocks)).not.toContain("Acknowledge>");
  });
});
