import { test } from "@playwright/test";
import { storageState } from "../stack";
test.use({ storageState: storageState("viewer") });
for (const width of [1440, 390]) {
  test(`shots ${width}`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/metrics?q=" + encodeURIComponent('sum by (instance, environment) (rate(http_requests_total[1m]))'));
    await page.getByTestId("explore-chart").waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: `/tmp/shot-explore-${width}.png`, fullPage: true });
    await page.goto("/metrics/targets");
    await page.screenshot({ path: `/tmp/shot-targets-${width}.png`, fullPage: true });
  });
}
