import { expect, test } from "@playwright/test";
import { storageState } from "./stack";

test("Opsdeck's own database is backed up by a built-in job, shown on the Backups page and not restorable from it", async ({
  browser,
}) => {
  const viewer = await (
    await browser.newContext({ storageState: storageState("viewer") })
  ).newPage();
  const card = viewer.getByTestId("backup-job-opsdeck");
  await expect(async () => {
    await viewer.goto("/backups");
    await expect(card.getByTestId("last-success-age")).toContainText("ago", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(card).toContainText("Opsdeck's own database");
  await expect(card).toContainText("yes,");
  await expect(card.getByTestId("self-restore-note")).toContainText("npm run restore-self");

  const admin = await (await browser.newContext({ storageState: storageState("admin") })).newPage();
  await admin.goto("/backups?job=opsdeck");
  const row = admin
    .getByTestId("backup-history")
    .getByRole("row")
    .filter({ hasText: "succeeded" })
    .first();
  await expect(row.getByRole("link", { name: "Download" })).toBeVisible();
  await expect(row.getByRole("button", { name: "Restore" })).toHaveCount(0);
  await row.getByRole("link", { name: "Restore with Opsdeck stopped" }).click();
  await expect(
    admin.getByRole("heading", { name: "Restoring Opsdeck's own database" }),
  ).toBeVisible();
});
