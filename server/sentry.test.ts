import http from "node:http";
import type { AddressInfo } from "node:net";
import * as Sentry from "@sentry/nextjs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSentryReceiver, type ReceivedEvent } from "@/e2e/fixtures/sentry-receiver.mjs";
import { sendSlack } from "@/server/alerts/channels/slack";
import { sendWebhook } from "@/server/alerts/channels/webhook";
import { monitorSchema, type HttpMonitorConfig } from "@/server/config/schema";
import { SecretValue } from "@/server/config/secret-value";
import { probeHttp } from "@/server/monitors/probes/http";
import { testPayload } from "@/test/notification";
import { sentryOptions } from "./sentry";

// What a signed-in admin's browser sends, and what must never reach Sentry.
const SESSION =
  "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..b2pXZmFrZQ.c2Vzc2lvbi10b2tlbi1wYXlsb2Fk.dGFn";
const BEARER = "ci-token-that-must-not-leave-0123456789";
const QUERY_VALUE = "query-value-that-must-not-leave";

let receiver: Awaited<ReturnType<typeof startSentryReceiver>>;
let recorder: http.Server;
let recorderUrl = "";
const seenHeaders: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  receiver = await startSentryReceiver({ port: 0 });
  recorder = http.createServer((req, res) => {
    seenHeaders.push(req.headers);
    req.resume();
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((r) => recorder.listen(0, "127.0.0.1", r));
  recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  Sentry.init(sentryOptions({ dsn: `http://e2epublickey@127.0.0.1:${receiver.port}/1` }));
});
afterAll(async () => {
  await Sentry.close(2000);
  recorder.close();
  await receiver.close();
});
beforeEach(async () => {
  seenHeaders.length = 0;
  await fetch(`${receiver.url}/__received`, { method: "DELETE" });
});

async function received(): Promise<ReceivedEvent[]> {
  await Sentry.flush(5000);
  return (await (await fetch(`${receiver.url}/__received`)).json()) as ReceivedEvent[];
}

describe("Opsdeck's own Sentry events", () => {
  it("a request error while signed in carries no cookie, session token, authorization or query value", async () => {
    Sentry.addBreadcrumb({
      category: "fetch",
      message: `GET https://hooks.example.com/services/T0/B0?token=${QUERY_VALUE}`,
      data: { url: `https://user:pw-in-url-0123@hooks.example.com/x?code=${QUERY_VALUE}` },
    });
    Sentry.captureRequestError(
      new Error(`render failed for /login?callbackUrl=${QUERY_VALUE}`),
      {
        path: `/login?callbackUrl=%2F%0Ax&next=${QUERY_VALUE}`,
        method: "GET",
        headers: {
          cookie: `next-auth.session-token=${SESSION}; next-auth.csrf-token=abc0123456789`,
          authorization: `Bearer ${BEARER}`,
          "user-agent": "Mozilla/5.0 (test)",
          "x-forwarded-for": "203.0.113.9",
        },
      },
      { routerKind: "App Router", routePath: "/login", routeType: "render" },
    );
    const events = await received();
    expect(events.length).toBeGreaterThan(0);
    const wire = JSON.stringify(events);
    expect(wire).toContain("render failed for /login");
    for (const leak of [
      SESSION,
      "b2pXZmFrZQ",
      BEARER,
      QUERY_VALUE,
      "pw-in-url-0123",
      "abc0123456789",
      "203.0.113.9",
    ])
      expect(wire).not.toContain(leak);
    expect(wire.toLowerCase()).not.toContain('"cookie"');
    expect(wire.toLowerCase()).not.toContain('"authorization"');
    expect(wire).not.toContain("query_string");
  });

  it("extra context and messages are scrubbed too", async () => {
    Sentry.captureException(new Error(`Authorization: Bearer ${BEARER}`), {
      extra: { token: "x".repeat(40), cookieHeader: `next-auth.session-token=${SESSION}` },
    });
    const wire = JSON.stringify(await received());
    expect(wire).toContain("[redacted]");
    for (const leak of [BEARER, SESSION, "x".repeat(40)]) expect(wire).not.toContain(leak);
  });
});

describe("Opsdeck's outgoing requests, with Sentry on", () => {
  const payload = testPayload;

  it("carry no sentry-trace or baggage header to anyone", async () => {
    await probeHttp(
      monitorSchema.parse({
        id: "web",
        service: "web",
        environment: "prod",
        type: "http",
        url: `${recorderUrl}/health`,
      }) as HttpMonitorConfig,
    );
    await sendSlack(
      {
        id: "s",
        type: "slack",
        webhookUrl: new SecretValue(`${recorderUrl}/slack`),
        minInterval: 0,
      },
      payload,
    );
    await sendWebhook(
      {
        id: "w",
        type: "webhook",
        url: `${recorderUrl}/webhook`,
        secret: new SecretValue("webhook-signing-secret-0123456789abcdef"),
        timeout: 5000,
      },
      payload,
      1,
      null,
    );
    await new Promise((r) => http.get(`${recorderUrl}/plain`, (res) => res.resume().on("end", r)));
    expect(seenHeaders).toHaveLength(4);
    for (const headers of seenHeaders) {
      expect(headers["sentry-trace"]).toBeUndefined();
      expect(headers.baggage).toBeUndefined();
    }
  });
});
