import { expect, test } from "@playwright/test";
import { storageState } from "./stack";

test.use({ storageState: storageState("admin") });

test("an admin runs database maintenance and watches it finish live", async ({ page }) => {
  await page.goto("/settings");
  await page.getByRole("button", { name: "Run database maintenance" }).click();
  const progress = page.getByTestId("job-progress");
  await expect(progress).toContainText("succeeded", { timeout: 20_000 });
  await expect(progress.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(progress).toContainText("Audit chain intact");
  await expect(progress).toContainText("quick_check: ok");

  await progress.getByRole("link", { name: /Job #\d+/ }).click();
  await expect(page.getByRole("heading", { name: /Database maintenance · #\d+/ })).toBeVisible();
  await expect(page.getByText('"quickCheck": "ok"')).toBeVisible();

  await page.goto("/settings/jobs");
  await expect(
    page
      .getByTestId("jobs-table")
      .getByRole("row")
      .filter({ hasText: "Database maintenance" })
      .first(),
  ).toContainText("succeeded");

  await page.goto("/audit?action=jobs.start");
  await expect(page.getByTestId("audit-table")).toContainText("db.maintenance");
});

test("the job stream is server-sent events that end with the job", async ({ page, request }) => {
  await page.goto("/audit");
  await page.getByRole("button", { name: "Verify chain" }).click();
  const link = page.getByTestId("job-progress").getByRole("link", { name: /Job #\d+/ });
  const id = (await link.textContent())!.replace(/\D/g, "");
  const res = await page.request.get(`/api/jobs/${id}/events`);
  expect(res.headers()["content-type"]).toContain("text/event-stream");
  const body = await res.text();
  expect(body).toMatch(/event: job\ndata: \{"id":\d+,"kind":"audit.verify"/);
  expect(body).toMatch(/event: end\ndata: \{"status":"succeeded"\}/);
  expect(
    (await request.get(`/api/jobs/${id}/events`, { headers: { cookie: "" } })).status(),
  ).toBeGreaterThanOrEqual(401);
  expect((await page.request.get("/api/jobs/99999999/events")).status()).toBe(404);
  expect((await page.request.get("/api/jobs/abc/events")).status()).toBe(400);
});
