import { expect, test } from "@playwright/test";
import { storageState } from "./stack";

test.describe("as an admin", () => {
  test.use({ storageState: storageState("admin") });

  test("verifying signs a checkpoint the audit page names; an archive of nothing old prunes nothing", async ({
    page,
  }) => {
    await page.goto("/audit");
    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByTestId("job-progress")).toContainText("succeeded", { timeout: 20_000 });
    await expect(page.getByTestId("job-progress")).toContainText("checkpointed");
    const head = /head row (\d+)/.exec(await page.getByTestId("job-progress").innerText())?.[1];
    expect(head).toBeTruthy();
    // Without a reload: the page reads again what the job changed.
    await expect(page.getByTestId("audit-chain-summary")).toContainText(
      `Newest checkpoint: row ${head}`,
    );

    await page.goto("/settings");
    await page.getByLabel("Archive audit rows older than (days)").fill("36500");
    await page.getByRole("button", { name: "Archive audit log" }).click();
    const progress = page.getByTestId("job-progress");
    await expect(progress).toContainText("succeeded", { timeout: 20_000 });
    await expect(progress).toContainText("older than 36500 days: nothing to archive");

    await page.getByLabel("Archive audit rows older than (days)").fill("-3");
    await expect(page.getByRole("button", { name: "Archive audit log" })).toBeDisabled();

    await page.goto("/audit?action=jobs.start");
    await expect(page.getByTestId("audit-table")).toContainText('"olderThanDays":36500');
  });
});
