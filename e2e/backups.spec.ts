import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { ACCOUNTS, APP_DB, storageState } from "./stack";

// One app database, backed up and restored: these tests take turns.
test.describe.configure({ mode: "serial" });

const job = (page: import("@playwright/test").Page) => page.getByTestId("backup-job-app-db");

test("the scheduled first backup is verified and shown; viewers cannot start, download or restore", async ({
  browser,
}) => {
  const page = await (await browser.newContext({ storageState: storageState("viewer") })).newPage();
  await expect(async () => {
    await page.goto("/backups");
    await expect(job(page).getByTestId("last-success-age")).toContainText("ago", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(job(page)).toContainText("yes, 2 tables, 5,200 rows");
  await expect(job(page)).toContainText("Success (30 days)");
  await expect(page.getByRole("button", { name: "Back up now" })).toHaveCount(0);
  await expect(
    page.getByTestId("backup-history").getByRole("link", { name: "Download" }),
  ).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Restore" })).toHaveCount(0);
  await expect(page.getByTestId("backup-job-external-dump")).toContainText("reported by heartbeat");
  await page.getByRole("link", { name: "Runbook: backups and restores" }).click();
  await expect(
    page.getByRole("heading", { name: "Runbook: database backups and restores" }),
  ).toBeVisible();
});

test("an operator backs up now and watches it finish live", async ({ browser }) => {
  const page = await (
    await browser.newContext({ storageState: storageState("operator") })
  ).newPage();
  await page.goto("/backups");
  await job(page).getByRole("button", { name: "Back up now" }).click();
  const progress = job(page).getByTestId("job-progress");
  await expect(progress).toContainText("succeeded", { timeout: 30_000 });
  await expect(progress).toContainText(/Backed up .* into .*SHA-256/);
  await expect(
    page.getByTestId("backup-history").getByRole("row").filter({ hasText: "manual" }).first(),
  ).toContainText("succeeded");
});

test("an admin downloads a backup whose checksum matches, and restores one into a protected environment by typing its name", async ({
  browser,
}) => {
  test.slow();
  const page = await (await browser.newContext({ storageState: storageState("admin") })).newPage();
  await page.goto("/backups");
  const row = page
    .getByTestId("backup-history")
    .getByRole("row")
    .filter({ hasText: "succeeded" })
    .first();
  await expect(row).toBeVisible({ timeout: 30_000 });

  const download = page.waitForEvent("download");
  await row.getByRole("link", { name: "Download" }).click();
  const file = await (await download).path();
  const body = await import("node:fs").then((fs) => fs.readFileSync(file));
  expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  const shown = await row.locator("td").nth(8).getAttribute("title");
  expect(createHash("sha256").update(body).digest("hex")).toBe(shown);

  // Data is lost after that backup…
  const app = new Database(APP_DB);
  app.prepare("delete from taps").run();
  app.close();

  await row.getByRole("button", { name: "Restore" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Replace the live Production database");
  await expect(dialog.getByRole("button", { name: "Restore now" })).toBeDisabled();
  await dialog.getByLabel("Environment name").fill("production-ish");
  await expect(dialog.getByRole("button", { name: "Restore now" })).toBeDisabled();
  await dialog.getByLabel("Environment name").fill("Production");
  await dialog.getByRole("button", { name: "Restore now" }).click();
  const progress = page.getByTestId("job-progress");
  await expect(progress).toContainText("succeeded", { timeout: 60_000 });
  await expect(progress).toContainText("Safety backup of the live database");

  // …and is back.
  const restored = new Database(APP_DB, { readonly: true });
  expect((restored.prepare("select count(*) n from taps").get() as { n: number }).n).toBe(5000);
  restored.close();

  // The history shows the restore (who, how it ended) and its safety copy as what they are;
  // "Last success" is still the newest backup the job took, not the safety copy.
  await page.goto("/backups");
  const history = page.getByTestId("backup-history");
  const restoreRow = history.locator('[data-testid^="restore-row-"]').first();
  await expect(restoreRow).toContainText("restore");
  await expect(restoreRow).toContainText("succeeded");
  // Whoever asked, by name or by email.
  await expect(restoreRow).toContainText(
    new RegExp(`${ACCOUNTS.admin.name}|${ACCOUNTS.admin.email}`),
  );
  const safetyRow = history.getByRole("row").filter({ hasText: "safety copy" }).first();
  await expect(safetyRow).toContainText("taken before restore job #");
  const safetySum = await safetyRow.locator("td").nth(8).getAttribute("title");
  const lastSum = await page
    .getByTestId("backup-job-app-db")
    .getByTestId("last-success-sha256")
    .getAttribute("title");
  expect(lastSum).toBeTruthy();
  expect(lastSum).not.toBe(safetySum);

  await page.goto("/audit?action=backups");
  const audit = page.getByTestId("audit-table");
  await expect(audit).toContainText("Restore completed");
  await expect(audit).toContainText("safetyFile");
  await expect(audit).toContainText("Backup downloaded");
});
