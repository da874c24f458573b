import { expect, test, type APIRequestContext } from "@playwright/test";
import { pageAs } from "./helpers";
import { DEMO_PAGER, NOTIFY_URL, storageState } from "./stack";

type Received = { at: string; path: string; text: string | null; blocks: unknown[] | null };
type Mail = { to: string[]; subject: string; text?: string };

const CRITICAL = "/slack/e2e/critical";

async function slack(request: APIRequestContext, path: string): Promise<Received[]> {
  return (await request.get(`${NOTIFY_URL}/__messages?path=${encodeURIComponent(path)}`)).json();
}
async function mails(request: APIRequestContext): Promise<Mail[]> {
  return (await request.get(`${NOTIFY_URL}/__mail`)).json();
}
/** The paging demo's monitor as Opsdeck last recorded it. */
async function pagerMonitor(request: APIRequestContext) {
  const body = (await (await request.get("/api/uptime/status")).json()) as {
    monitors: { id: string; status: string; lastCheckAt: string | null }[];
  };
  return body.monitors.find((m) => m.id === "pager-health");
}

test.describe.configure({ mode: "serial" });

test("the demo breaks: one critical Slack message, the on-call is paged, acknowledges, and recovery sends one resolved message; nothing twice", async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const operator = await pageAs(browser, "operator");
  // The paging demo is up and its monitor has seen it up.
  await expect
    .poll(async () => (await request.get(`${DEMO_PAGER}/health`)).status(), { timeout: 20_000 })
    .toBe(200);
  await expect
    .poll(async () => (await pagerMonitor(operator.request))?.status, { timeout: 30_000 })
    .toBe("up");
  const before = (await slack(request, CRITICAL)).length;
  const mailsBefore = (await mails(request)).length;

  const broken = Date.now();
  expect(
    (
      await request.post(`${DEMO_PAGER}/chaos`, { data: { mode: "down", durationSeconds: 300 } })
    ).ok(),
  ).toBe(true);
  try {
    // Usually interval (10 s) × retries (1) + a few seconds. The deadline only catches a stuck
    // pipeline: how fast it is belongs to a benchmark, not to a test on a shared machine.
    await expect
      .poll(async () => (await slack(request, CRITICAL)).length, {
        timeout: 60_000,
        intervals: [250],
      })
      .toBe(before + 1);
    console.log(`critical Slack message ${Date.now() - broken} ms after the demo broke`);
    const [firing] = (await slack(request, CRITICAL)).slice(before);
    expect(firing!.text).toContain("[FIRING:1] Paging demo down (pager production)");
    const blocks = JSON.stringify(firing!.blocks);
    for (const part of [
      "critical",
      "pager",
      "production",
      "Paging demo down",
      "/runbooks/uptime-incident",
    ])
      expect(blocks).toContain(part);

    // The on-call person (the schedule's only member) is paged by email.
    await expect
      .poll(async () => (await mails(request)).slice(mailsBefore).map((m) => m.to.join()), {
        timeout: 10_000,
      })
      .toEqual(["operator@e2e.test"]);

    await operator.goto("/alerts");
    await expect(operator.getByTestId("nav-badge-alerts")).toHaveClass(/bg-red-600/);
    const row = operator.getByTestId(/^alert-\d+$/).filter({ hasText: "Paging demo down" });
    await expect(row).toBeVisible();
    await expect(row).toContainText("not acknowledged");
    await row.getByRole("button", { name: "Acknowledge" }).click();
    // People by name, not by their sign-in address.
    await expect(row.getByTestId("acked-by")).toContainText("Olu Operator");
    await expect(row.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
    // The channel is told, once, who took it.
    await expect
      .poll(async () => (await slack(request, CRITICAL)).length, { timeout: 30_000 })
      .toBe(before + 2);
    expect((await slack(request, CRITICAL)).at(-1)!.text).toContain(
      "Acknowledged by Olu Operator (operator@e2e.test): Paging demo down",
    );
  } finally {
    await request.delete(`${DEMO_PAGER}/chaos`);
  }

  await expect
    .poll(async () => (await slack(request, CRITICAL)).length, { timeout: 60_000 })
    .toBe(before + 3);
  const resolved = (await slack(request, CRITICAL)).at(-1)!;
  expect(resolved.text).toContain("[RESOLVED] Paging demo down (pager production)");

  // Once Opsdeck's engine has worked past another group interval (10 s) and a bit after the
  // resolved message (it has checked the demo since), there is still exactly one firing and
  // one resolved message (besides the acknowledgement), and no second page (acknowledged
  // before the escalation timeout; the paged person's one other mail says who acknowledged).
  const resolvedAt = Date.parse(resolved.at);
  await expect
    .poll(
      async () => {
        const last = (await pagerMonitor(operator.request))?.lastCheckAt;
        return last ? Date.parse(last) - resolvedAt : null;
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThan(12_000);
  expect((await slack(request, CRITICAL)).length).toBe(before + 3);
  expect((await mails(request)).slice(mailsBefore).map((m) => m.subject)).toEqual([
    expect.stringContaining("[PAGE] Paging demo down"),
    expect.stringContaining("Acknowledged by Olu Operator (operator@e2e.test)"),
  ]);

  await operator.goto("/alerts?tab=history&rule=pager-down");
  const history = operator.getByTestId("alert-history");
  await expect(history.getByRole("row").nth(1)).toContainText("resolved");
  await expect(history.getByRole("row").nth(1)).toContainText("Olu Operator");
  await history.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(operator.getByTestId("transitions")).toContainText("acknowledged");
  await expect(operator.getByTestId("alert-notifications")).toContainText("slack-critical");
  await operator.context().close();
});

test("an operator silences an alert in one click with a reason, sees it held, then expires the silence", async ({
  browser,
}) => {
  const page = await pageAs(browser, "operator");
  await page.goto("/alerts");
  const row = page.getByTestId(/^alert-\d+$/).filter({ hasText: "Decommissioned worker" });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.getByRole("button", { name: "Silence" }).click();
  const form = row.getByRole("form", { name: "Create silence" });
  await expect(form.getByLabel(/Matchers/)).toHaveValue(/alertname=ghost-down/);
  // A blank reason (the browser only checks its length): refused by the server, nothing created.
  await form.getByLabel("Reason").fill("    ");
  await form.getByRole("button", { name: "Create silence" }).click();
  await expect(form.getByRole("alert")).toContainText("at least 3 characters");
  await form.getByLabel("Reason").fill("worker decommissioned, removing its monitor");
  await form.getByRole("button", { name: "Create silence" }).click();
  await expect(row).toContainText(/silenced by #\d+/);

  await page.goto("/alerts?tab=silences");
  const silence = page
    .getByTestId("silences")
    .getByRole("row")
    .filter({ hasText: "worker decommissioned" });
  await expect(silence).toContainText("active");
  await expect(silence).toContainText("operator@e2e.test");
  await silence.getByRole("button", { name: "Expire" }).click();
  await expect(silence).toContainText("expired");
  await page.context().close();
});

test("a viewer sees alerts, channels and on-call but no buttons (role-matrix.spec.ts: the actions answer 403)", async ({
  browser,
}) => {
  const page = await pageAs(browser, "viewer");
  await page.goto("/alerts");
  await expect(page.getByTestId(/^alert-\d+$/).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Silence" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Resolve" })).toHaveCount(0);
  await page.goto("/alerts?tab=channels");
  await expect(page.getByTestId("channels")).toContainText("#critical");
  await expect(page.getByRole("button", { name: "Send test notification" })).toHaveCount(0);
  await page.goto("/oncall");
  await expect(page.getByRole("form", { name: /Override/ })).toHaveCount(0);
  await page.context().close();
});

test("a channel whose Slack webhook is gone shows the permanent error after a test notification", async ({
  browser,
  request,
}) => {
  await request.post(`${NOTIFY_URL}/__control`, {
    data: { path: "/slack/e2e/gone", mode: "channel_not_found" },
  });
  const page = await pageAs(browser, "operator");
  await page.goto("/alerts/channels/slack-gone");
  await page.getByTestId("send-test").click();
  await expect(page.getByTestId("channel-error")).toContainText("HTTP 404: channel_not_found", {
    timeout: 15_000,
  });
  await expect(page.getByTestId("channel-error")).toContainText("retrying will not help");
  await expect(page.getByTestId("channel-notifications")).toContainText("failed");

  await page.goto("/alerts/channels/slack-warnings");
  const sent = (await slack(request, "/slack/e2e/warnings")).length;
  await page.getByTestId("send-test").click();
  await expect
    .poll(async () => (await slack(request, "/slack/e2e/warnings")).length, { timeout: 10_000 })
    .toBe(sent + 1);
  expect((await slack(request, "/slack/e2e/warnings")).at(-1)!.text).toContain(
    "Test notification from Opsdeck",
  );
  await page.context().close();
});

test("on-call: now and next on the Overview and On-call page, an override, and a personal iCalendar feed", async ({
  browser,
  request,
}) => {
  const page = await pageAs(browser, "operator");
  await page.goto("/");
  await expect(page.getByTestId("oncall-now")).toContainText("Olu Operator");
  await expect(page.getByTestId("firing-alerts")).toBeVisible();

  await page.goto("/oncall");
  await expect(page.getByTestId("calendar-e2e-primary")).toContainText("Olu Operator");
  const form = page.getByRole("form", { name: "Override E2E primary" });
  const local = (ms: number) => {
    const d = new Date(Date.now() + ms);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  // The end before the start: refused, nothing stored.
  await form.getByLabel("Person").fill("admin@e2e.test");
  await form.getByLabel(/^From/).fill(local(3 * 3_600_000));
  await form.getByLabel(/^Until/).fill(local(2 * 3_600_000));
  await form.getByRole("button", { name: "Add override" }).click();
  await expect(form.getByRole("alert")).toContainText("must be after the start");
  await form.getByLabel(/^Until/).fill(local(5 * 3_600_000));
  await form.getByLabel("Reason").fill("swap for a dentist appointment");
  await form.getByRole("button", { name: "Add override" }).click();
  await expect(page.getByTestId("overrides-e2e-primary")).toContainText("Ada Admin");

  await page.getByRole("button", { name: /calendar link/ }).click();
  const url = (await page.getByTestId("calendar-urls").locator("code").first().textContent())!;
  expect(url).toMatch(/\/api\/oncall\/e2e-primary\.ics\?token=cal_/);
  const feed = await request.get(`${url}&who=all`);
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toContain("text/calendar");
  const ics = await feed.text();
  expect(ics).toContain("BEGIN:VCALENDAR");
  expect(ics).toContain("operator@e2e.test");
  expect(ics).toContain("admin@e2e.test");
  const bad = await request.get(
    url.replace(/token=cal_[^&]+/, "token=cal_wrongwrongwrongwrongwrong"),
  );
  expect(bad.status()).toBe(401);
  expect((await request.get(url.replace("e2e-primary.ics", "nope.ics"))).status()).toBe(404);
  await page.context().close();
});

test.describe("rule preview", () => {
  test.use({ storageState: storageState("viewer") });
  test("replays a rule over stored history, and bad tuning input is refused with a reason", async ({
    page,
  }) => {
    await page.goto("/alerts?tab=rules");
    await expect(page.getByTestId("rule-stats")).toContainText("Paging demo down");
    await page.goto("/alerts/rules/ghost-down?range=24h");
    await expect(page.getByTestId("preview-summary")).toContainText(/would have fired \d+ time/);
    await page.goto("/alerts/rules/slow-backend?threshold=banana");
    await expect(page.getByText('threshold: "banana" is not a duration')).toBeVisible();
    await page.goto("/alerts/rules/slow-backend?threshold=1ms");
    await expect(page.getByTestId("preview-summary")).toContainText("With threshold 1 ms");
  });
});

test.describe("hostile addresses", () => {
  test.use({ storageState: storageState("operator") });
  test("odd, oversized and hostile URLs get a 4xx or the normal page, never a 500 or an echo", async ({
    page,
    request,
  }) => {
    const pages = [
      "/alerts?tab=<script>alert(1)</script>",
      "/alerts?tab=history&before=-1&q=%25%25_%27%22&severity=root&state=%00",
      `/alerts?tab=history&q=${"x".repeat(5000)}`,
      "/alerts/abc",
      "/alerts/99999999",
      "/alerts/rules/..%2F..%2Fetc",
      "/alerts/rules/ghost-down?range=10y&for=-5m&keepFiringFor=99999d",
      "/alerts/rules/ghost-down?range=constructor",
      "/alerts/channels/%3Cscript%3E",
    ];
    for (const path of pages) {
      const res = await page.goto(path);
      expect(res!.status(), path).toBeLessThan(500);
      expect(await page.content(), path).not.toContain("<script>alert(1)</script>");
    }
    for (const [path, status] of [
      ["/api/oncall/..%2F..%2Fetc%2Fpasswd.ics?token=x", 400],
      [`/api/oncall/e2e-primary.ics?token=${"a".repeat(10_000)}`, 400],
      ["/api/oncall/e2e-primary.ics?token=cal_x&weeks=1000", 400],
      ["/api/oncall/e2e-primary.ics", 401],
    ] as const) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(status);
    }
  });
});
