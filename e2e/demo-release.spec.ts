import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { BASE_URL, CI_TOKEN, DEMO_RELEASE, storageState } from "./stack";

const run = promisify(execFile);
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

test.use({ storageState: storageState("operator") });

test("the demo's bad release takes the service down, and a rollback from Opsdeck really fixes it, verified healthy", async ({
  page,
  request,
}) => {
  // Two checks to go down, a deploy, two checks in a row to verify: minutes on a busy machine.
  test.setTimeout(240_000);
  // The good release, live for a while, as CI reported it.
  expect((await request.post(`${DEMO_RELEASE}/deploy`, { data: { version: "1.4.2" } })).ok()).toBe(
    true,
  );
  const good = await request.post("/api/ingest/deployments", {
    headers: { authorization: `Bearer ${CI_TOKEN}`, "content-type": "application/json" },
    data: {
      service: "release-demo",
      environment: "production",
      version: "1.4.2",
      status: "succeeded",
      startedAt: hoursAgo(2),
      finishedAt: hoursAgo(1.9),
      externalId: `e2e-release-1.4.2-${Date.now()}`,
    },
  });
  expect(good.ok()).toBe(true);

  // Ship 1.4.3 the way the demo banner says, and tell Opsdeck as CI would.
  const shipped = await run(
    process.execPath,
    [
      "demo/deploy.mjs",
      DEMO_RELEASE,
      "1.4.3",
      "--report",
      BASE_URL,
      "--service",
      "release-demo",
      "--environment",
      "production",
    ],
    { env: { ...process.env, CI_INGEST_TOKEN: CI_TOKEN } },
  );
  expect(shipped.stdout).toContain("recorded in Opsdeck as release-demo 1.4.3 in production");

  // The monitor sees it: down (the release throws on /health), not a chaos fault.
  await page.goto("/uptime");
  await expect(page.getByTestId("monitor-row-release-demo-health")).toContainText("down", {
    timeout: 60_000,
  });
  expect(await (await request.get(`${DEMO_RELEASE}/chaos`)).json()).toMatchObject({
    mode: "normal",
    errorRate: 0,
  });

  // Roll back to 1.4.2 from the Deployments page.
  await page.goto("/deployments?service=release-demo&environment=production");
  const row = page
    .getByTestId("timeline-production")
    .getByRole("row")
    .filter({ hasText: "1.4.2" })
    .first();
  await row.getByRole("button", { name: "Roll back to this version" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("1.4.3");
  await dialog.getByLabel("Environment name").fill("Production");
  await dialog.getByRole("button", { name: "Roll back now" }).click();
  const progress = page.getByTestId("job-progress");
  await expect(progress).toContainText(/running|queued/, { timeout: 30_000 });

  // Its job page, opened while the rollback runs, says when it finished once it has.
  const jobLink = progress.getByRole("link", { name: /Job #\d+/ });
  const jobPage = await page.context().newPage();
  await jobPage.goto((await jobLink.getAttribute("href"))!);
  const finished = jobPage.getByTestId("job-finished-at");
  const jobProgress = jobPage.getByTestId("job-progress");
  await expect(jobProgress).toContainText(
    "Waiting for 1 monitor (Release demo /health) to pass 2 checks in a row",
    { timeout: 60_000 },
  );
  await expect(jobProgress).toContainText(/succeeded|verified healthy/i, { timeout: 150_000 });
  await expect(jobProgress).toContainText("every monitor passed 2 checks in a row");
  await expect(finished).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

  expect(await (await request.get(`${DEMO_RELEASE}/version`)).json()).toEqual({
    version: "1.4.2",
  });
  await page.goto("/uptime");
  const monitor = page.getByTestId("monitor-row-release-demo-health");
  await expect(monitor.getByText("up", { exact: true })).toBeVisible({ timeout: 30_000 });
});
