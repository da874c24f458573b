import { expect, test } from "@playwright/test";
import { NAV } from "../lib/nav";
import { ACCOUNTS, DEMO_PRODUCTION, storageState } from "./stack";

test.use({ storageState: storageState("viewer") });

test("the shell shows every section, the environment switcher and who is signed in", async ({
  page,
}) => {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const label of [
    "Overview",
    "Uptime",
    "Errors",
    "Metrics",
    "Backups",
    "Deployments",
    "Secrets",
    "Alerts",
    "On-call",
    "Reports",
    "Logs",
    "Audit",
    "Settings",
  ]) {
    await expect(nav.getByRole("link", { name: new RegExp(`^${label}`) })).toBeVisible();
  }
  await expect(page.getByLabel("Environment")).toBeVisible();
  await page.getByLabel("User menu").click();
  await expect(page.getByTestId("user-name")).toHaveText(ACCOUNTS.viewer.name);
  await expect(page.getByTestId("user-role")).toHaveText("viewer");
});

test("sections not built yet say so plainly", async ({ page }) => {
  for (const item of NAV.filter((n) => !n.built)) {
    await page.goto(item.href);
    await expect(page.getByRole("heading", { name: item.label })).toBeVisible();
    await expect(page.getByTestId("not-built")).toHaveText("This page is not built yet.");
  }
  const missing = await page.goto("/no-such-section");
  expect(missing?.status()).toBe(404);
});

test("the overview lists every environment and service with its live health", async ({ page }) => {
  await page.goto("/");
  const grid = page.getByTestId("service-grid");
  await expect(grid.getByRole("columnheader", { name: /Production/ })).toBeVisible();
  await expect(grid.getByRole("columnheader", { name: /Staging/ })).toBeVisible();
  await expect(page.getByTestId("health-backend-production")).toContainText("up");
  await expect(page.getByTestId("health-backend-production")).toContainText("HTTP 200");
  await expect(page.getByTestId("health-backend-staging")).toContainText("up");
  await expect(page.getByTestId("health-ghost-production")).toContainText("down");
  await expect(page.getByTestId("health-ghost-staging")).toContainText("not deployed here");
});

test("breaking the demo service shows it down on the overview, and recovery shows it up", async ({
  page,
  request,
}) => {
  const chaos = await request.post(`${DEMO_PRODUCTION}/chaos`, {
    data: { mode: "down", durationSeconds: 120 },
  });
  expect(chaos.ok()).toBe(true);
  try {
    await expect(async () => {
      await page.goto("/");
      await expect(page.getByTestId("health-backend-production")).toContainText("HTTP 503", {
        timeout: 1000,
      });
    }).toPass({ timeout: 20_000 });
  } finally {
    await request.delete(`${DEMO_PRODUCTION}/chaos`);
  }
  await expect(async () => {
    await page.goto("/");
    await expect(page.getByTestId("health-backend-production")).toContainText("HTTP 200", {
      timeout: 1000,
    });
  }).toPass({ timeout: 20_000 });
});

test("the environment switcher narrows the overview to one environment", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Environment").selectOption("staging");
  await expect(page.getByTestId("health-backend-production")).toHaveCount(0);
  await expect(page.getByTestId("health-backend-staging")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Environment")).toHaveValue("staging");
  await page.getByLabel("Environment").selectOption("all");
  await expect(page.getByTestId("health-backend-production")).toBeVisible();
});
