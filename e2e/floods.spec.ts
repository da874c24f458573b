import http from "node:http";
import { expect, test } from "@playwright/test";
import { CI_TOKEN, OPSDECK_PORT, storageState } from "./stack";

// The server sees every test as 127.0.0.1. Floods come from other loopback addresses
// (Linux routes all of 127.0.0.0/8 to lo), so the budgets of the other specs are untouched.
function from(
  localAddress: string,
  path: string,
  opts: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: OPSDECK_PORT,
        localAddress,
        path,
        method: opts.method ?? "GET",
        agent: false,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(body ? { "content-type": "application/json" } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers["retry-after"] as string | undefined,
            body: text,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const report = {
  service: "backend",
  environment: "production",
  // Long ago: this record must never become what is live in another test.
  startedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(),
  status: "succeeded",
};

test("a flood of wrong CI tokens is refused with 429 and Retry-After, and audited once with a count", async ({
  browser,
  request,
}) => {
  test.slow(); // the refusals are written when their one-minute window ends
  const statuses: number[] = [];
  let retryAfter: string | undefined;
  for (let i = 0; i < 200; i++) {
    const res = await from("127.0.0.2", "/api/ingest/deployments", {
      method: "POST",
      token: `guess-${i}-0123456789abcdef`,
      body: { ...report, version: `flood-${i}` },
    });
    statuses.push(res.status);
    if (res.status === 429) retryAfter ??= res.retryAfter;
  }
  // Ten wrong tokens a minute are answered 401; the budget refills slowly (one per 6 s).
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(150);
  expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);

  // The blocked address cannot use the right token either…
  const blocked = await from("127.0.0.2", "/api/ingest/deployments", {
    method: "POST",
    token: CI_TOKEN,
    body: { ...report, version: "flood-right-token" },
  });
  expect(blocked.status).toBe(429);
  expect(JSON.parse(blocked.body).error).toMatch(/wrong token from this address; retry in \d+ s/);
  // …while CI elsewhere reports as usual.
  const ok = await request.post("/api/ingest/deployments", {
    headers: { authorization: `Bearer ${CI_TOKEN}` },
    data: { ...report, version: "floods-ok", externalId: `floods-${Date.now()}` },
  });
  expect(ok.status()).toBe(201);

  const admin = await (await browser.newContext({ storageState: storageState("admin") })).newPage();
  const rows = admin
    .getByTestId("audit-table")
    .locator("tbody tr")
    .filter({ hasText: "127.0.0.2" });
  await expect(async () => {
    await admin.goto("/audit?action=ingest.throttled");
    await expect(rows).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 100_000, intervals: [5_000] });
  await expect(rows.first()).toContainText("denied");
  await expect(rows.first()).toContainText(`"refused":201`);
  await expect(admin.getByTestId("audit-table")).not.toContainText("guess-");
});

test("guessed heartbeat URLs get 404, then 429 for the address", async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 50; i++)
    statuses.push(
      (await from("127.0.0.3", `/api/ingest/heartbeat/guess${i}-0123456789abcdef`)).status,
    );
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
  expect(statuses.every((s) => s === 404 || s === 429)).toBe(true);
  expect(statuses.at(-1)).toBe(429);
});
