import { expect, test } from "@playwright/test";
import { HEARTBEAT_TOKEN, storageState } from "./stack";

test.describe("uptime pages", () => {
  test.use({ storageState: storageState("viewer") });

  test("the uptime list shows every monitor with its figures and filters by environment, service and status", async ({
    page,
  }) => {
    test.slow();
    await page.goto("/uptime");
    const table = page.getByTestId("monitor-table");
    await expect(page.getByTestId("monitor-row-backend-production-health")).toContainText("up", {
      timeout: 30_000,
    });
    await expect(page.getByTestId("monitor-row-backend-production-health")).toContainText(/\d+ ms/);
    await expect(page.getByTestId("monitor-row-e2e-backup")).toContainText(
      /waiting for first ping|up|down/,
    );
    await page
      .getByRole("group", { name: "Filters" })
      .getByLabel("Environment")
      .selectOption("staging");
    await expect(page).toHaveURL(/environment=staging/);
    await expect(table.getByRole("row")).toHaveCount(2);
    await expect(page.getByTestId("monitor-row-backend-staging-health")).toBeVisible();
    await page.getByRole("group", { name: "Filters" }).getByLabel("Environment").selectOption("");
    await page.getByRole("group", { name: "Filters" }).getByLabel("Status").selectOption("down");
    await expect(page.getByTestId("monitor-row-ghost-port")).toBeVisible({ timeout: 45_000 });
    await expect(page.getByTestId("monitor-row-backend-production-health")).toHaveCount(0);
    // Incidents per service: the filtered monitors' incidents only.
    await expect(page.getByTestId("recent-incidents")).toContainText("Decommissioned worker port");
    await expect(page.getByTestId("recent-incidents")).toContainText("connection refused");
    // The search is filtered on the server too: the URL follows the typing, and a reload keeps it.
    await page.getByRole("group", { name: "Filters" }).getByLabel("Status").selectOption("");
    await page.getByRole("group", { name: "Filters" }).getByLabel("Search").fill("staging");
    await expect(page).toHaveURL(/q=staging/);
    await expect(page.getByTestId("monitor-row-backend-staging-health")).toBeVisible();
    await expect(page.getByTestId("monitor-row-backend-production-health")).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("group", { name: "Filters" }).getByLabel("Search")).toHaveValue(
      "staging",
    );
    await expect(page.getByTestId("monitor-row-backend-production-health")).toHaveCount(0);
    // A link to the unfiltered list (the same page) clears the controls too, and the rows
    // are not left dimmed as if a filter were on its way.
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Uptime", exact: true })
      .click();
    await expect(page).toHaveURL(/\/uptime$/);
    await expect(page.getByRole("group", { name: "Filters" }).getByLabel("Search")).toHaveValue("");
    await expect(page.getByTestId("monitor-row-backend-production-health")).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    // Back brings the search back, in the controls as in the rows.
    await page.goBack();
    await expect(page).toHaveURL(/q=staging/);
    await expect(page.getByRole("group", { name: "Filters" }).getByLabel("Search")).toHaveValue(
      "staging",
    );
    await expect(page.getByTestId("monitor-row-backend-production-health")).toHaveCount(0);
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  });

  test("a monitor page shows the response-time chart over each range, daily uptime, incidents and recent checks", async ({
    page,
  }) => {
    await page.goto("/uptime/backend-production-health");
    await expect(page.getByRole("heading", { name: "Navi /health (production)" })).toBeVisible();
    await expect(page.getByTestId("live-status")).toBeVisible();
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("check-table").getByRole("row").nth(1)).toContainText("up", {
        timeout: 1000,
      });
    }).toPass({ timeout: 30_000 });
    for (const range of ["1h", "24h", "7d", "30d", "90d"]) {
      await page
        .getByRole("navigation", { name: "Range" })
        .getByRole("link", { name: range, exact: true })
        .click();
      await expect(page).toHaveURL(new RegExp(`range=${range}`));
      await expect(page.getByTestId("figure-uptime")).toHaveText(/\d+(\.\d+)?%/);
      await expect(page.getByTestId("response-chart").locator("svg").first()).toBeVisible();
    }
    await expect(page.getByTestId("uptime-bars").locator("div")).toHaveCount(90);
    // Viewers cannot pause.
    await expect(page.getByRole("button", { name: /Pause checks|Resume checks/ })).toHaveCount(0);
    expect((await page.goto("/uptime/no-such-monitor"))?.status()).toBe(404);
  });
});

test("an operator pauses and resumes a monitor; a viewer's pause is refused; both are audited", async ({
  browser,
}) => {
  const page = await (
    await browser.newContext({ storageState: storageState("operator") })
  ).newPage();
  await page.goto("/uptime/ghost-port");
  await page.getByRole("button", { name: "Pause checks" }).click();
  await expect(page.getByTestId("live-status")).toContainText("paused");
  await page.getByRole("button", { name: "Resume checks" }).click();
  await expect(page.getByTestId("live-status")).not.toContainText("paused", { timeout: 15_000 });
  const admin = await (await browser.newContext({ storageState: storageState("admin") })).newPage();
  await admin.goto("/audit?action=monitors");
  await expect(admin.getByTestId("audit-table")).toContainText("Monitor paused");
  await expect(admin.getByTestId("audit-table")).toContainText("Monitor resumed");
});

test.describe("badges", () => {
  test("public for a monitor with badge: true, 404 to anonymous callers otherwise", async ({
    request,
    browser,
  }) => {
    const pub = await request.get("/api/badge/backend-production-health");
    expect(pub.status()).toBe(200);
    expect(pub.headers()["content-type"]).toContain("image/svg+xml");
    expect(await pub.text()).toMatch(
      /<svg[^>]*aria-label="Navi \/health \(production\): (up|degraded|down|no data yet|unknown)/,
    );
    expect((await request.get("/api/badge/backend-staging-health")).status()).toBe(404);
    expect((await request.get("/api/badge/nope")).status()).toBe(404);
    const viewer = await browser.newContext({ storageState: storageState("viewer") });
    expect((await viewer.request.get("/api/badge/backend-staging-health")).status()).toBe(200);
  });
});

test.describe("heartbeat pings", () => {
  test("unknown tokens get 404 and store nothing; pings, /fail and /start move the monitor", async ({
    request,
    browser,
  }) => {
    expect((await request.get("/api/ingest/heartbeat/not-a-real-token-000000")).status()).toBe(404);
    expect((await request.post("/api/ingest/heartbeat/x/y/z")).status()).toBeGreaterThanOrEqual(
      400,
    );
    expect((await request.get(`/api/ingest/heartbeat/${HEARTBEAT_TOKEN}/nonsense`)).status()).toBe(
      400,
    );
    const bad = await request.post(`/api/ingest/heartbeat/${HEARTBEAT_TOKEN}`, {
      headers: { "content-type": "application/json" },
      data: "{oops",
    });
    expect(bad.status()).toBe(400);
    const big = await request.post(`/api/ingest/heartbeat/${HEARTBEAT_TOKEN}`, {
      headers: { "content-type": "application/json" },
      data: JSON.stringify({ message: "x".repeat(20_000) }),
    });
    expect(big.status()).toBe(413);

    const page = await (
      await browser.newContext({ storageState: storageState("viewer") })
    ).newPage();
    expect(
      (
        await request.post(`/api/ingest/heartbeat/${HEARTBEAT_TOKEN}/fail`, {
          data: { message: "disk full" },
        })
      ).status(),
    ).toBe(200);
    await page.goto("/uptime/e2e-backup");
    await expect(page.getByTestId("live-status")).toContainText("down", { timeout: 10_000 });
    await expect(page.getByTestId("live-status")).toContainText("job failed: disk full");

    expect((await request.get(`/api/ingest/heartbeat/${HEARTBEAT_TOKEN}/start`)).status()).toBe(
      200,
    );
    const ok = await request.post(`/api/ingest/heartbeat/${HEARTBEAT_TOKEN}`, {
      data: { durationMs: 1500, sizeBytes: 4096 },
    });
    expect(await ok.text()).toBe("OK\n");
    await expect(page.getByTestId("live-status")).toContainText("up", { timeout: 10_000 });
    await page.reload();
    await expect(page.getByTestId("check-table").getByRole("row").nth(1)).toContainText("1500 ms");
  });
});
