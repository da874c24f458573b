import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request as requests, test } from "@playwright/test";
import { callAction, serverActions } from "./actions";
import { BASE_URL, storageState } from "./stack";

// These tests hold the "slow-dump" backup running (e2e/fixtures/slow-dump.mjs waits while
// this flag exists), so they take turns.
test.describe.configure({ mode: "serial" });
// Each starts a backup, opens pages as two people and waits for a cancel: slow on a busy machine.
test.slow();
const FLAG = path.join(os.tmpdir(), "opsdeck-e2e-slow-dump");
test.beforeEach(() => fs.writeFileSync(FLAG, ""));
test.afterEach(() => fs.rmSync(FLAG, { force: true }));

const slowDump = (page: import("@playwright/test").Page) =>
  page.getByTestId("backup-job-slow-dump");

/** The session cookie header of a role's saved sign-in, for requests outside Playwright's contexts. */
function cookieHeader(role: "viewer" | "operator") {
  const state = JSON.parse(fs.readFileSync(storageState(role), "utf8")) as {
    cookies: { name: string; value: string }[];
  };
  return state.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

async function startSlowDump(): Promise<number> {
  const operator = await requests.newContext({
    baseURL: BASE_URL,
    storageState: storageState("operator"),
  });
  const trigger = serverActions().find((a) => a.name === "triggerBackup")!;
  const call = await callAction(operator, trigger.id, [{ backup: "slow-dump" }]);
  const jobId = (call.result as { data?: { jobId: number } } | null)?.data?.jobId;
  expect(jobId, call.body.slice(0, 300)).toBeDefined();
  await expect(async () => {
    const job = (await (await operator.get(`/api/jobs/${jobId}`)).json()) as {
      job: { status: string };
    };
    expect(job.job.status).toBe("running");
  }).toPass({ timeout: 20_000 });
  await operator.dispose();
  return jobId!;
}

test("an operator cancels a running backup from its job page, after confirming; it stops and is recorded as canceled", async ({
  browser,
}) => {
  const page = await (
    await browser.newContext({ storageState: storageState("operator") })
  ).newPage();
  await page.goto("/backups");
  await slowDump(page).getByRole("button", { name: "Back up now" }).click();
  const progress = slowDump(page).getByTestId("job-progress");
  await expect(progress).toContainText("running", { timeout: 20_000 });
  await progress.getByRole("link", { name: /Job #\d+/ }).click();
  await expect(page.getByRole("heading", { name: /Back up · #\d+/ })).toBeVisible();

  await page.getByRole("button", { name: "Cancel job" }).click();
  const dialog = page.getByRole("dialog", { name: /Cancel job #\d+/ });
  await expect(dialog).toContainText("stops at its next safe point");
  // Thinking better of it changes nothing.
  await dialog.getByRole("button", { name: "Keep it running" }).click();
  await expect(page.getByTestId("job-progress")).toContainText("running");
  await page.getByRole("button", { name: "Cancel job" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel job" }).click();
  const jobProgress = page.getByTestId("job-progress");
  await expect(jobProgress).toContainText("canceled", { timeout: 20_000 });
  await expect(jobProgress).toContainText("Canceled by operator@e2e.test");
  await expect(page.getByRole("button", { name: "Cancel job" })).toHaveCount(0);

  await page.goto("/audit?action=jobs.cancel");
  await expect(page.getByTestId("audit-table")).toContainText("Job canceled");
});

test("a viewer following a backup job sees its status and progress, not its log, and is told why", async ({
  browser,
}) => {
  const jobId = await startSlowDump();
  const viewer = await (
    await browser.newContext({ storageState: storageState("viewer") })
  ).newPage();
  await viewer.goto(`/jobs/${jobId}`);
  const progress = viewer.getByTestId("job-progress");
  await expect(progress).toContainText("running");
  await expect(viewer.getByText(/shown to operators and admins only/)).toBeVisible();
  await expect(progress).not.toContainText("slow-dump.mjs");
  await expect(viewer.getByRole("button", { name: "Cancel job" })).toHaveCount(0);
  const api = (await (await viewer.request.get(`/api/jobs/${jobId}`)).json()) as { log: unknown };
  expect(api.log).toBeNull();

  // An operator cancels it from the jobs list.
  const operator = await (
    await browser.newContext({ storageState: storageState("operator") })
  ).newPage();
  await operator.goto("/settings/jobs?kind=backup.run");
  const row = operator
    .getByTestId("jobs-table")
    .getByRole("row")
    .filter({ hasText: `#${jobId} ` });
  await row.getByRole("button", { name: "Cancel job" }).click();
  await row.getByRole("dialog").getByRole("button", { name: "Cancel job" }).click();
  await expect(async () => {
    await operator.reload();
    await expect(
      operator
        .getByTestId("jobs-table")
        .getByRole("row")
        .filter({ hasText: `#${jobId} ` }),
    ).toContainText("canceled", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
});

test("the fifth live job view of one session is refused with 429, and /api/health still answers", async () => {
  const jobId = await startSlowDump();
  const cookie = cookieHeader("viewer");
  const aborts: AbortController[] = [];
  const open = async () => {
    const abort = new AbortController();
    aborts.push(abort);
    return fetch(`${BASE_URL}/api/jobs/${jobId}/events`, {
      headers: { cookie },
      signal: abort.signal,
    });
  };
  try {
    for (let i = 0; i < 4; i++) expect((await open()).status).toBe(200);
    const fifth = await open();
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get("retry-after")).toBeTruthy();
    expect(((await fifth.json()) as { error: string }).error).toMatch(/live job views/);
    const health = await fetch(`${BASE_URL}/api/health`);
    expect([200, 503]).toContain(health.status);
    expect(
      ((await health.json()) as { checks: { database: { status: string } } }).checks.database
        .status,
    ).toBe("ok");
  } finally {
    for (const a of aborts) a.abort();
  }
  // The places are given back when the streams close.
  await expect(async () => {
    const again = new AbortController();
    const res = await fetch(`${BASE_URL}/api/jobs/${jobId}/events`, {
      headers: { cookie },
      signal: again.signal,
    });
    again.abort();
    expect(res.status).toBe(200);
  }).toPass({ timeout: 10_000 });
  const operator = await requests.newContext({
    baseURL: BASE_URL,
    storageState: storageState("operator"),
  });
  const cancel = serverActions().find((a) => a.name === "cancelJob")!;
  expect((await callAction(operator, cancel.id, [{ jobId }])).result).toMatchObject({ ok: true });
  await operator.dispose();
});
