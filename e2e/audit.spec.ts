import { expect, test } from "@playwright/test";
import { callAction, serverActions } from "./actions";
import { storageState } from "./stack";

test("the audit log filters by actor, action, outcome and time, and pages through history", async ({
  browser,
  playwright,
  baseURL,
}) => {
  // 55 refused attempts by the viewer make more than one page of denied entries.
  const viewer = await playwright.request.newContext({
    baseURL,
    storageState: storageState("viewer"),
  });
  const start = serverActions().find((a) => a.name === "startJob")!;
  for (let i = 0; i < 55; i++) await callAction(viewer, start.id, [{ kind: "db.maintenance" }]);

  const page = await (await browser.newContext({ storageState: storageState("admin") })).newPage();
  await page.goto("/audit");
  await page.getByLabel("Actor").fill("viewer@e2e.test");
  await page.getByLabel("Action").fill("jobs.start");
  await page.getByLabel("Outcome").selectOption("denied");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/actor=viewer%40e2e.test/);
  const rows = page.getByTestId("audit-table").locator("tbody tr");
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText("denied");
  await expect(rows.first()).toContainText("127.0.0.1");

  await page.getByRole("link", { name: "Older →" }).click();
  await expect(rows.first()).toContainText("Job started");
  expect(await rows.count()).toBeGreaterThanOrEqual(5);
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(rows).toHaveCount(50);

  await page.goto("/audit?actor=viewer%40e2e.test&from=2000-01-01T00:00&to=2000-01-02T00:00");
  await expect(page.getByText("No audit entries match.")).toBeVisible();

  await page.goto("/audit?from=not-a-date&before=-5&outcome=<script>");
  await expect(page.locator("main").getByRole("alert")).toContainText("Some filters were ignored");
  await expect(page.getByTestId("audit-table")).toBeVisible();
});
