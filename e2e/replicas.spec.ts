import { expect, test } from "@playwright/test";
import { storageState } from "./stack";

// Per-replica health on the uptime side. e2e/opsdeck.e2e.yaml scrapes navi-staging's two
// replicas every 2 s: 127.0.0.1:4602 (the staging demo, up) and 127.0.0.1:4699 (nothing
// listens: down), while the staging /health monitor, which checks 4602, stays up.

test.use({ storageState: storageState("viewer") });

const STAGING = "/uptime/backend-staging-health";
const KEY = "replicas:service=backend&environment=staging";

test("the staging monitor's page shows 1 of 2 replicas up beside its green status, the dead one's reason, its 24 h figures and links", async ({
  page,
}) => {
  await page.goto(STAGING);
  const section = page.getByTestId("replicas");
  await expect(section.getByTestId("replica-headline")).toHaveText("1 of 2 replicas up · 1 down", {
    timeout: 30_000,
  });
  const up = page.getByTestId("replica-navi-staging-127.0.0.1:4602");
  const dead = page.getByTestId("replica-navi-staging-127.0.0.1:4699");
  await expect(up).toHaveAttribute("data-health", "up");
  await expect(dead).toHaveAttribute("data-health", "down");
  await expect(dead.getByRole("cell").nth(1)).toHaveText(/down$/);
  await expect(dead.getByTestId("replica-error")).toContainText("connection refused");
  await expect(up.getByTestId("replica-error")).toHaveCount(0);
  // Every scrape of the dead one failed; its bar is red where it has scrapes at all.
  await expect(dead.getByTestId("replica-availability")).toHaveText("0.00%", { timeout: 30_000 });
  await expect(up.getByTestId("replica-availability")).toHaveText(/^(100%|\d{1,2}\.\d\d%)$/);
  const deadBar = dead.getByTestId("replica-bar");
  await expect(deadBar.locator("[data-state]")).toHaveCount(48);
  await expect(deadBar.locator('[data-state="down"]')).not.toHaveCount(0);
  await expect(deadBar.locator('[data-state="up"], [data-state="partial"]')).toHaveCount(0);
  await expect(up.getByTestId("replica-bar").locator('[data-state="down"]')).toHaveCount(0);
  await expect(page.getByTestId("live-status")).toContainText("up");

  // The explore link asks for the job's up series.
  const explore = section.getByRole("link", { name: "Explore up" });
  await expect(explore).toHaveAttribute(
    "href",
    `/metrics?${new URLSearchParams({ q: 'up{job="navi-staging"}', range: "24h" })}`,
  );
  await section.getByRole("link", { name: "Scrape targets" }).click();
  await expect(page).toHaveURL(/\/metrics\/targets\?service=backend&environment=staging$/);
  await expect(page.getByTestId("targets").locator("tbody tr")).toHaveCount(2);
  await expect(page.getByText("Showing 1–2 of 2 replicas")).toBeVisible();
});

test("the replicas follow the server without a reload: the poll carries them, and the last scrape moves on", async ({
  page,
}) => {
  await page.goto(STAGING);
  const when = page.getByTestId("replica-navi-staging-127.0.0.1:4602").locator("time");
  await expect(when).toHaveAttribute("datetime", /Z$/, { timeout: 30_000 });
  // A reload (or a full navigation) would drop this.
  await page.evaluate(() => Object.assign(window, { replicaMarker: true }));
  const first = await when.getAttribute("datetime");
  const poll = await page.waitForResponse(
    (r) => {
      const u = new URL(r.url());
      return u.pathname === "/api/live" && (u.searchParams.get("views") ?? "").includes("replicas");
    },
    { timeout: 20_000 },
  );
  const views = decodeURIComponent(new URL(poll.url()).searchParams.get("views")!).split(",");
  expect(views).toContain(KEY);
  const body = (await poll.json()) as {
    views: Record<string, { counts: Record<string, number>; rows: { instance: string }[] }>;
  };
  expect(body.views[KEY]!.counts).toMatchObject({ up: 1, down: 1, total: 2 });
  expect(body.views[KEY]!.rows.map((r) => r.instance)).toEqual([
    "127.0.0.1:4602",
    "127.0.0.1:4699",
  ]);
  // Scraped every 2 s and polled every 5 s: the shown scrape time moves on by itself.
  await expect(when).not.toHaveAttribute("datetime", first!, { timeout: 20_000 });
  expect(await page.evaluate(() => "replicaMarker" in window), "the page was never reloaded").toBe(
    true,
  );
});

test("the uptime list says per service and environment how many replicas are up, linking to their targets", async ({
  page,
}) => {
  await page.goto("/uptime");
  const staging = page.getByTestId("replica-group-backend-staging");
  await expect(staging).toHaveText("Navi backend · Staging: 1 of 2 replicas up · 1 down", {
    timeout: 30_000,
  });
  await expect(page.getByTestId("replica-group-backend-production")).toHaveText(
    "Navi backend · Production: 1 of 1 replica up",
  );
  // Filtered like the list: staging only.
  await page
    .getByRole("group", { name: "Filters" })
    .getByLabel("Environment")
    .selectOption("staging");
  await expect(page).toHaveURL(/environment=staging/);
  await expect(page.getByTestId("replica-group-backend-production")).toHaveCount(0);
  await expect(staging).toBeVisible();
  await staging.getByRole("link").click();
  await expect(page).toHaveURL(/\/metrics\/targets\?service=backend&environment=staging$/);
  await expect(page.getByTestId("target-navi-staging-127.0.0.1:4699")).toContainText(
    "connection refused",
  );

  // The Overview names the troubled group only.
  await page.goto("/");
  await expect(page.getByTestId("replica-summary")).toContainText(
    "Navi backend · Staging: 1 of 2 replicas up · 1 down",
  );
  await expect(page.getByTestId("replica-summary")).not.toContainText("Production");
});

test("a malformed replica view is refused with a 400 that says why", async ({ request }) => {
  for (const [key, says] of [
    ["replicas:colour=red", 'unknown parameter \\"colour\\"'],
    ["replicas:page=0", "page is a whole number from 1"],
    ["replicas:service=Back End", "service is not an id"],
    ["replicas:environment=../etc", "environment is not an id"],
    ["replica-summary:page=2", 'unknown parameter \\"page\\"'],
  ] as const) {
    const res = await request.get(`/api/live?views=${encodeURIComponent(encodeURIComponent(key))}`);
    expect(res.status(), key).toBe(400);
    expect(await res.text(), key).toContain(says);
  }
  // A service with no targets is no error: no replicas.
  const none = await request.get(
    `/api/live?views=${encodeURIComponent(encodeURIComponent("replicas:service=pager"))}`,
  );
  expect(none.status()).toBe(200);
  expect((await none.json()).views["replicas:service=pager"].counts.total).toBe(0);
});

test("on a 390 px phone the replicas are cards and nothing makes the page scroll sideways", async ({
  browser,
}) => {
  const context = await browser.newContext({
    storageState: storageState("viewer"),
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  await page.goto(STAGING);
  const dead = page.getByTestId("replica-navi-staging-127.0.0.1:4699");
  await expect(dead.getByTestId("replica-error")).toContainText("connection refused", {
    timeout: 30_000,
  });
  await expect(dead.getByTestId("replica-bar")).toBeVisible();
  // A card: the error and the bar sit within the screen, one above the other.
  const error = (await dead.getByTestId("replica-error").boundingBox())!;
  const bar = (await dead.getByTestId("replica-bar").boundingBox())!;
  expect(error.x + error.width).toBeLessThanOrEqual(390);
  expect(bar.x + bar.width).toBeLessThanOrEqual(390);
  expect(bar.y).toBeGreaterThan(error.y);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await context.close();
});
