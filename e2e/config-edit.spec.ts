import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E_CONFIG, storageState } from "./stack";

// Adds a monitor through the form, edits it, removes it: the file the stack runs on
// (a copy of e2e/opsdeck.e2e.yaml) ends as it began. The monitor is paused, so it runs no
// checks and no rule that watches every monitor sees it.
const ID = "config-edit-e2e";

test.describe("editing opsdeck.yaml from the browser", () => {
  test.use({ storageState: storageState("admin") });

  test("an admin adds a monitor, sees the diff, saves, edits its interval and removes it; the file keeps its comments", async ({
    page,
  }) => {
    test.slow();
    const before = fs.readFileSync(E2E_CONFIG, "utf8");
    const comments = before.split("\n").filter((l) => l.trim().startsWith("#"));
    expect(comments.length).toBeGreaterThan(0);

    await page.goto("/uptime");
    await page.getByRole("link", { name: "Add monitor" }).click();
    await expect(page.getByRole("heading", { name: "Add monitor" })).toBeVisible();
    await page.getByLabel("Id").fill(ID);
    await page.getByLabel("Name").fill("Config edit e2e");
    await page.getByLabel("Service").selectOption("backend");
    await page.getByLabel("Environment").selectOption("production");
    await page.getByLabel("URL").fill("http://127.0.0.1:4601/health");
    await page.getByLabel("Interval").fill("5 fortnights");
    await page.getByLabel("Other fields (YAML)").fill("paused: true\n");

    // The loader's own message, with the path, for a value it would refuse.
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page.getByTestId("config-error")).toContainText(
      /monitors\[\d+\]\.interval: expected a duration such as "30s"/,
    );
    expect(fs.readFileSync(E2E_CONFIG, "utf8")).toBe(before);

    await page.getByLabel("Interval").fill("30s");
    await page.getByRole("button", { name: "Preview" }).click();
    const diff = page.getByTestId("config-diff");
    await expect(diff).toContainText(`+  - id: ${ID}`);
    await expect(diff).toContainText("+    interval: 30s");
    await page.getByRole("button", { name: "Save to opsdeck.yaml" }).click();

    await expect(page).toHaveURL(new RegExp(`/uptime/${ID}$`));
    await expect(page.getByRole("heading", { name: "Config edit e2e" })).toBeVisible();
    await page.goto("/uptime");
    await expect(page.getByTestId(`monitor-row-${ID}`)).toBeVisible();

    let text = fs.readFileSync(E2E_CONFIG, "utf8");
    expect(text.startsWith(before.slice(0, before.indexOf("\nbackups:")))).toBe(true);
    expect(text).toContain(`  - id: ${ID}\n`);

    // Edit its interval: only that line changes.
    await page.goto(`/uptime/${ID}`);
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await expect(page.getByLabel("Interval")).toHaveValue("30s");
    await page.getByLabel("Interval").fill("45s");
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(diff).toContainText("-    interval: 30s");
    await expect(diff).toContainText("+    interval: 45s");
    await page.getByRole("button", { name: "Save to opsdeck.yaml" }).click();
    await expect(page).toHaveURL(new RegExp(`/uptime/${ID}$`));
    await expect(page.getByText("every 45s")).toBeVisible();
    text = fs.readFileSync(E2E_CONFIG, "utf8");
    expect(text).toContain("    interval: 45s\n");
    for (const c of comments) expect(text).toContain(c);

    // The audit log records the edit with its diff.
    await page.goto("/audit");
    await expect(page.getByText("Configuration edited").first()).toBeVisible();

    // Remove it again: the file is back to what it was, byte for byte.
    await page.goto(`/config/monitors?id=${ID}`);
    await page.getByRole("button", { name: "Remove this monitor…" }).click();
    await expect(diff).toContainText(`-  - id: ${ID}`);
    await page.getByRole("button", { name: "Remove from opsdeck.yaml" }).click();
    await expect(page).toHaveURL(/\/uptime$/);
    await expect(page.getByTestId(`monitor-row-${ID}`)).toHaveCount(0);
    expect(fs.readFileSync(E2E_CONFIG, "utf8")).toBe(before);
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageState("viewer") });

  test("there is no Add monitor or Edit, and the form page is forbidden", async ({ page }) => {
    await page.goto("/uptime");
    await expect(page.getByRole("heading", { name: "Uptime" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Add monitor" })).toHaveCount(0);
    await page.goto("/uptime/backend-production-health");
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
    await page.goto("/config/monitors");
    await expect(page).toHaveURL(/\/forbidden/);
  });
});
