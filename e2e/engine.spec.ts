import { expect, test } from "@playwright/test";
import { storageState } from "./stack";

const METRICS = { authorization: "Bearer e2e-metrics-token-0123456789abcdef" };

test("health and metrics speak for both engine threads, each metric once", async ({ request }) => {
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect((await health.json()).checks).toMatchObject({
    engine: { status: "ok" },
    runner: { status: "ok" },
    scheduler: { status: "ok", role: "leader" },
  });

  const text = await (await request.get("/api/metrics", { headers: METRICS })).text();
  expect(text).toMatch(/^opsdeck_engine_thread_up\{thread="engine"\} 1$/m);
  expect(text).toMatch(/^opsdeck_engine_thread_up\{thread="jobs"\} 1$/m);
  // The engine thread's metrics and the jobs thread's, next to the HTTP thread's own.
  expect(text).toMatch(/^opsdeck_scheduler_leader 1$/m);
  expect(text).toMatch(/^opsdeck_jobs_running_here \d+$/m);
  await expect
    .poll(async () => {
      const t = await (await request.get("/api/metrics", { headers: METRICS })).text();
      return Number(/^opsdeck_monitor_check_lateness_seconds_count (\d+)$/m.exec(t)?.[1] ?? 0);
    })
    .toBeGreaterThan(0);
  expect(text).toContain("opsdeck_http_request_duration_seconds_bucket");
  const families = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
  expect(families.length).toBeGreaterThan(10);
  expect(new Set(families).size).toBe(families.length);
});

test.describe("as an admin", () => {
  test.use({ storageState: storageState("admin") });

  test("reloading the config reaches the engine threads, and they keep running", async ({
    page,
    request,
  }) => {
    await page.goto("/settings");
    await page.getByRole("button", { name: "Reload config" }).click();
    await expect(page.getByText(/^Reloaded \d+ environments and \d+ services\.$/)).toBeVisible();
    const health = await (await request.get("/api/health")).json();
    expect(health.checks.engine).toEqual({ status: "ok" });
    expect(health.checks.runner).toEqual({ status: "ok" });
  });
});
