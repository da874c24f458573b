import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { TIME_ZONE_COOKIE } from "../lib/time-zone-cookie";
import { NOTIFY_URL, SENTRY_PORT, storageState } from "./stack";

const RECEIVED = `http://127.0.0.1:${SENTRY_PORT}/__received`;
const QUERY_VALUE = "e2e-query-value-that-must-not-leave";

test.use({ storageState: storageState("admin") });

test("Opsdeck's Sentry events from a signed-in admin carry no cookie, session token, authorization or query value", async ({
  page,
  request,
}) => {
  const cookies = (
    JSON.parse(fs.readFileSync(storageState("admin"), "utf8")) as {
      cookies: { name: string; value: string }[];
    }
  ).cookies;
  const session = cookies.find((c) => c.name.includes("session-token"));
  expect(session?.value.length).toBeGreaterThan(20);

  await page.goto(`/settings?token=${QUERY_VALUE}&callbackUrl=${QUERY_VALUE}`);
  await page.getByRole("button", { name: "Send test error to Sentry" }).click();
  await expect(page.getByText(/Sent event [0-9a-f]{32}\./)).toBeVisible({ timeout: 15_000 });
  const events = (await (await request.get(RECEIVED)).json()) as { event: unknown }[];
  const wire = JSON.stringify(events);
  await test.info().attach("received-events.json", { body: wire, contentType: "application/json" });
  expect(wire).toContain("Opsdeck test error (sent from Settings)");
  // Every cookie but the browser's time zone ("UTC" on this machine, which the event's own
  // runtime context names too): its value is no secret, and not one the event got from it.
  const secretCookies = cookies.filter((c) => c.name !== TIME_ZONE_COOKIE);
  expect(secretCookies.length).toBeGreaterThan(0);
  for (const c of secretCookies) expect(wire, c.name).not.toContain(c.value);
  expect(wire).not.toContain(session!.value.slice(0, 24));
  expect(wire).not.toContain(QUERY_VALUE);
  expect(wire.toLowerCase()).not.toMatch(/"(cookie|cookies|authorization)"\s*:/);
});

test("with SENTRY_DSN set, Opsdeck's notifications reach a receiver without sentry-trace or baggage headers", async ({
  page,
  request,
}) => {
  const webhooks = async () =>
    (await (await request.get(`${NOTIFY_URL}/__webhooks`)).json()) as {
      headers: Record<string, string>;
    }[];
  const before = (await webhooks()).length;
  await page.goto("/alerts/channels/pager-hook");
  await page.getByRole("button", { name: "Send test notification" }).click();
  await expect
    .poll(async () => (await webhooks()).length, { timeout: 20_000 })
    .toBeGreaterThan(before);
  for (const d of await webhooks()) {
    expect(d.headers["x-opsdeck-signature"]).toBeTruthy();
    expect(d.headers["sentry-trace"]).toBeUndefined();
    expect(d.headers.baggage).toBeUndefined();
  }
});
