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

test("the overview shows every service in every environment, coloured by its worst monitor", async ({
  page,
}) => {
  await page.goto("/");
  const grid = page.getByTestId("service-grid");
  await expect(grid.getByRole("columnheader", { name: /Production/ })).toBeVisible();
  await expect(grid.getByRole("columnheader", { name: /Staging/ })).toBeVisible();
  await expect(page.getByTestId("cell-backend-production").getByRole("link")).toHaveAttribute(
    "data-status",
    "up",
    { timeout: 30_000 },
  );
  await expect(page.getByTestId("cell-backend-staging").getByRole("link")).toHaveAttribute(
    "data-status",
    "up",
    { timeout: 30_000 },
  );
  await expect(page.getByTestId("cell-backend-production")).toContainText("24 h");
  await expect(page.getByTestId("cell-ghost-production").getByRole("link")).toHaveAttribute(
    "data-status",
    "down",
    { timeout: 45_000 },
  );
  await expect(page.getByTestId("cell-ghost-staging")).toHaveText("not deployed here");
});

test("breaking the demo service opens an incident on the overview, and recovery closes it, without reloading", async ({
  page,
  request,
}) => {
  test.slow();
  await page.goto("/");
  const incident = page.getByTestId("incident-backend-production-health");
  const cell = page.getByTestId("cell-backend-production").getByRole("link");
  await expect(cell).toHaveAttribute("data-status", "up", { timeout: 30_000 });
  const chaos = await request.post(`${DEMO_PRODUCTION}/chaos`, {
    data: { mode: "down", durationSeconds: 120 },
  });
  expect(chaos.ok()).toBe(true);
  try {
    await expect(incident).toBeVisible({ timeout: 45_000 });
    await expect(incident).toContainText("HTTP 503");
    await expect(cell).toHaveAttribute("data-status", "down");
  } finally {
    await request.delete(`${DEMO_PRODUCTION}/chaos`);
  }
  await expect(incident).toHaveCount(0, { timeout: 45_000 });
  await expect(cell).toHaveAttribute("data-status", "up");
  await page.goto("/uptime/backend-production-health");
  const row = page
    .getByTestId("incident-table")
    .getByRole("row")
    .filter({ hasText: "HTTP 503" })
    .first();
  await expect(row).toBeVisible();
  await expect(row).not.toContainText("down");
});

test("the environment switcher narrows the overview to one environment", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Environment").selectOption("staging");
  await expect(page.getByTestId("cell-backend-production")).toHaveCount(0);
  await expect(page.getByTestId("cell-backend-staging")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Environment")).toHaveValue("staging");
  await page.getByLabel("Environment").selectOption("all");
  await expect(page.getByTestId("cell-backend-production")).toBeVisible();
});
