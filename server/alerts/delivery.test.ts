// The senders against local receivers that speak Slack's, SMTP's and a signed
// webhook's protocol (e2e/fixtures/notify-receivers.mjs), over real sockets.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_SMTP_PASSWORD,
  DEFAULT_SMTP_USER,
  DEFAULT_WEBHOOK_SECRET,
  startNotifyReceivers,
} from "@/e2e/fixtures/notify-receivers.mjs";
import { freshDb } from "@/test/db";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { channelState, notifications } from "@/server/db/schema";
import { enqueueNotification } from "./dispatch";
import { slackMessage } from "./channels/slack";
import { backoffMs, OutboxSender } from "./outbox";
import type { NotificationPayload } from "./payload";

let rx: Awaited<ReturnType<typeof startNotifyReceivers>>;
let db: Db;
let config: OpsdeckConfig;

beforeAll(async () => {
  rx = await startNotifyReceivers({ port: 0, smtpPort: 0 });
});
afterAll(() => rx?.close());
afterEach(() => {
  vi.useRealTimers();
});

beforeEach(async () => {
  db = freshDb();
  await rx.reset();
  const env: Record<string, string> = {
    SLACK_URL: `${rx.url}/slack/T0/B0/ops`,
    SLACK_GONE: `${rx.url}/slack/T0/B0/gone`,
    HOOK_SECRET: DEFAULT_WEBHOOK_SECRET,
    WRONG_SECRET: "not-the-receivers-secret-0123456789",
    SMTP_PASSWORD: DEFAULT_SMTP_PASSWORD,
  };
  config = parseConfigText(
    `
environments: [{ id: production, name: Production }]
alerts:
  channels:
    - { id: slack, type: slack, webhookUrl: "\${SLACK_URL}" }
    - { id: slack-gone, type: slack, webhookUrl: "\${SLACK_GONE}" }
    - { id: hook, type: webhook, url: "${rx.url}/webhook/pager", secret: "\${HOOK_SECRET}" }
    - { id: hook-wrong, type: webhook, url: "${rx.url}/webhook/pager", secret: "\${WRONG_SECRET}" }
    - id: mail
      type: email
      from: "Opsdeck <opsdeck@example.com>"
      to: [team@example.com]
      smtp: { host: 127.0.0.1, port: ${rx.smtpPort}, user: ${DEFAULT_SMTP_USER}, password: "\${SMTP_PASSWORD}" }
`,
    "test.yaml",
    (k) => env[k],
  );
});

const payload = (title = "[FIRING:1] backend-down (backend production)"): NotificationPayload => ({
  version: 1,
  kind: "firing",
  status: "firing",
  title,
  severity: "critical",
  groupLabels: { alertname: "backend-down", service: "backend", environment: "production" },
  url: "http://opsdeck.test/alerts",
  alerts: [
    {
      id: 7,
      rule: "backend-down",
      name: "Backend down",
      severity: "critical",
      status: "firing",
      summary: "Navi /health (production) is down: connect ECONNREFUSED",
      labels: { service: "backend", environment: "production", monitor: "backend-health" },
      startsAt: "2026-11-27T12:00:00.000Z",
      endsAt: null,
      runbook: "http://opsdeck.test/runbooks/uptime-incident",
      url: "http://opsdeck.test/alerts/7",
    },
  ],
});

let seq = 0;
function queue(channel: string, at: number, title?: string, recipient?: string, groupKey?: string) {
  enqueueNotification(db, {
    channels: [channel],
    kind: "firing",
    dedupeKey: `t:${++seq}`,
    groupKey,
    alertIds: [7],
    payload: payload(title),
    recipient,
    now: at,
  });
}

/** A sender on a clock the test moves. */
function sender() {
  const clock = { now: Date.parse("2026-11-27T12:00:00Z") };
  const s = new OutboxSender(db, config, { now: () => clock.now });
  const run = async () => {
    await Promise.all(s.tick());
  };
  return { clock, run };
}

const rows = (channel: string) =>
  db
    .select()
    .from(notifications)
    .where(eq(notifications.channelId, channel))
    .orderBy(notifications.id)
    .all();
const stateOf = (channel: string) =>
  db.select().from(channelState).where(eq(channelState.channelId, channel)).get();

describe("Slack incoming webhook", () => {
  it("sends Block Kit with severity, service, environment, summary and links; 200 ok is delivered", async () => {
    const { clock, run } = sender();
    queue("slack", clock.now);
    await run();
    const [msg] = rx.messages("/slack/T0/B0/ops");
    expect(msg).toBeDefined();
    const text = JSON.stringify(msg!.blocks);
    for (const part of [
      "critical",
      "backend",
      "production",
      "connect ECONNREFUSED",
      "http://opsdeck.test/alerts/7",
      "http://opsdeck.test/runbooks/uptime-incident",
    ])
      expect(text).toContain(part);
    expect(msg!.text).toContain("[FIRING:1] backend-down");
    expect(rows("slack")[0]).toMatchObject({ status: "sent", attempts: 1 });
    expect(stateOf("slack")?.lastSuccessAt).toBeTruthy();
  });

  it("429 with Retry-After: waits that long, then delivers once", async () => {
    const { clock, run } = sender();
    await rx.setMode({ path: "/slack/T0/B0/ops", mode: "rate_limited", retryAfter: 30, times: 1 });
    queue("slack", clock.now);
    await run();
    expect(rows("slack")[0]).toMatchObject({ status: "pending", attempts: 1 });
    expect(rows("slack")[0]!.lastError).toMatch(/rate limited/);
    expect(stateOf("slack")!.blockedUntil!.getTime()).toBe(clock.now + 30_000);
    clock.now += 29_000;
    await run();
    expect(rx.requests()).toHaveLength(1);
    clock.now += 1_000;
    await run();
    expect(rows("slack")[0]).toMatchObject({ status: "sent", attempts: 2 });
    expect(rx.messages("/slack/T0/B0/ops")).toHaveLength(1);
  });

  it("500: retried with backoff until it goes through", async () => {
    const { clock, run } = sender();
    await rx.setMode({ path: "/slack/T0/B0/ops", mode: "server_error", times: 2 });
    queue("slack", clock.now);
    await run();
    expect(rows("slack")[0]!.lastError).toMatch(/HTTP 500: rollup_error/);
    clock.now += backoffMs(1, 1);
    await run();
    clock.now += backoffMs(2, 1);
    await run();
    expect(rows("slack")[0]).toMatchObject({ status: "sent", attempts: 3 });
    expect(rx.messages()).toHaveLength(1);
  });

  it("404 channel_not_found is permanent: no retry, and the channel shows why", async () => {
    const { clock, run } = sender();
    await rx.setMode({ path: "/slack/T0/B0/gone", mode: "channel_not_found" });
    queue("slack-gone", clock.now);
    await run();
    clock.now += 3_600_000;
    await run();
    expect(rows("slack-gone")[0]).toMatchObject({ status: "failed", attempts: 1 });
    expect(stateOf("slack-gone")).toMatchObject({
      permanent: true,
      lastError: "HTTP 404: channel_not_found",
    });
    expect(rx.requests()).toHaveLength(1);
  });

  it("a receiver down for an hour gets every notification once, in order, when it is back", async () => {
    const { clock, run } = sender();
    await rx.setMode({ path: "/slack/T0/B0/ops", mode: "down" });
    // One group's messages: they must arrive in order.
    queue("slack", clock.now, "first", undefined, "g1");
    queue("slack", clock.now, "second", undefined, "g1");
    queue("slack", clock.now, "third", undefined, "g1");
    const end = clock.now + 3_600_000;
    while (clock.now < end) {
      await run();
      clock.now += 15_000;
    }
    expect(rows("slack").every((r) => r.status === "pending")).toBe(true);
    expect(rows("slack")[0]!.lastError).toMatch(/could not reach the receiver/);
    // Only the group's oldest is retried while the receiver is down: nothing overtakes it.
    expect(rows("slack").map((r) => r.attempts)).toEqual([rows("slack")[0]!.attempts, 0, 0]);
    await rx.setMode({ path: "/slack/T0/B0/ops", mode: "ok" });
    for (let i = 0; i < 40; i++) {
      await run();
      clock.now += 15_000;
    }
    expect(rx.messages("/slack/T0/B0/ops").map((m) => m.text?.split("\n")[0])).toEqual([
      "first",
      "second",
      "third",
    ]);
    expect(rows("slack").map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
  });

  it("a message that keeps failing holds back its own group, not the channel", async () => {
    const { clock, run } = sender();
    await rx.setMode({ path: "/slack/T0/B0/ops", mode: "server_error", times: 1 });
    queue("slack", clock.now, "group a", undefined, "a");
    queue("slack", clock.now, "group b", undefined, "b");
    queue("slack", clock.now, "group a, later", undefined, "a");
    await run(); // "group a" fails and backs off
    clock.now += 1_000;
    await run();
    const firstLines = () => rx.messages().map((m) => m.text?.split("\n")[0]);
    expect(firstLines()).toEqual(["group b"]);
    clock.now += 60_000;
    await run();
    clock.now += 1_000;
    await run();
    expect(firstLines()).toEqual(["group b", "group a", "group a, later"]);
  });

  it("keeps to one message per second per webhook (Slack's limit), by the clock the receiver checks", async () => {
    await rx.setMode({ enforceRate: true });
    // The sender's default clock and the receiver's rate check both read Date: the test moves it.
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const s = new OutboxSender(db, config);
    for (let i = 0; i < 3; i++) queue("slack", start, `burst ${i}`);
    for (let at = start; at <= start + 3_000; at += 250) {
      vi.setSystemTime(at);
      await Promise.all(s.tick());
    }
    expect(rows("slack").map((r) => r.sentAt?.getTime())).toEqual([
      start,
      start + 1_000,
      start + 2_000,
    ]);
    expect(rx.messages()).toHaveLength(3);
    expect(rx.requests().filter((r) => r.status === 429)).toHaveLength(0);
  });
});

describe("Slack formatting", () => {
  it("escapes what came from outside, so an author cannot ping @channel or plant a link", () => {
    const p = payload();
    p.alerts[0]!.summary =
      "Deploy of 1.2.3 by <!channel> <https://evil.example|roll back here> & co";
    const msg = JSON.stringify(slackMessage(p));
    expect(msg).not.toContain("<!channel>");
    expect(msg).not.toContain("<https://evil.example");
    expect(msg).toContain("&lt;!channel&gt; &lt;https://evil.example|roll back here&gt; &amp; co");
    // Opsdeck's own links still work.
    expect(msg).toContain("<http://opsdeck.test/alerts/7|Open in Opsdeck>");
  });
});

describe("generic webhook", () => {
  it("signs the JSON body; the receiver verifies the HMAC", async () => {
    const { clock, run } = sender();
    queue("hook", clock.now, undefined, "oncall@example.com");
    await run();
    const [hook] = rx.webhooks();
    expect(hook).toMatchObject({ signatureValid: true, status: 200 });
    expect(hook!.body).toMatchObject({
      recipient: "oncall@example.com",
      status: "firing",
      alerts: [{ rule: "backend-down", severity: "critical" }],
    });
    expect(hook!.headers["x-opsdeck-notification-id"]).toBe(String(rows("hook")[0]!.id));
  });

  it("a wrong secret is refused with 401, which is permanent", async () => {
    const { clock, run } = sender();
    queue("hook-wrong", clock.now);
    await run();
    expect(rx.webhooks()[0]).toMatchObject({ signatureValid: false, status: 401 });
    expect(rows("hook-wrong")[0]).toMatchObject({ status: "failed" });
  });
});

describe("email over SMTP", () => {
  it("sends HTML and text to the channel's recipients, or to the paged person", async () => {
    const { clock, run } = sender();
    queue("mail", clock.now);
    await run();
    queue("mail", clock.now, "[PAGE] Backend down", "alice@example.com");
    await run();
    const [team, alice] = rx.mails();
    expect(team).toMatchObject({ user: DEFAULT_SMTP_USER, to: ["team@example.com"] });
    expect(team!.subject).toContain("[FIRING:1] backend-down (backend production)");
    expect(team!.text).toContain("Runbook: http://opsdeck.test/runbooks/uptime-incident");
    expect(team!.html).toContain('<a href="http://opsdeck.test/alerts/7">Open in Opsdeck</a>');
    expect(alice!.to).toEqual(["alice@example.com"]);
  });

  it("a temporary SMTP refusal (451) is retried", async () => {
    const { clock, run } = sender();
    await rx.setMode({ smtp: "reject", times: 1 });
    queue("mail", clock.now);
    await run();
    expect(rows("mail")[0]).toMatchObject({ status: "pending" });
    expect(rows("mail")[0]!.lastError).toMatch(/451/);
    clock.now += 60_000;
    await run();
    expect(rows("mail")[0]).toMatchObject({ status: "sent", attempts: 2 });
    expect(rx.mails()).toHaveLength(1);
  });
});
