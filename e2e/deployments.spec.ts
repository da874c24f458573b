import { expect, request as requests, test } from "@playwright/test";
import { callAction, serverActions } from "./actions";
import { CI_TOKEN, DEMO_STAGING, NOTIFY_URL, RAILWAY_PORT, storageState } from "./stack";

const ci = (token = CI_TOKEN) => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
});
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

test("CI deploy reports: bad input and credentials are refused and store nothing; the same external id updates one record", async ({
  request,
}) => {
  const report = {
    service: "backend",
    // Long ago, in production: this record must never become what is live in another test.
    environment: "production",
    version: "9.9.9",
    status: "started",
    startedAt: hoursAgo(24 * 20),
    externalId: `gh-${Date.now()}`,
  };
  expect((await request.post("/api/ingest/deployments", { data: report })).status()).toBe(401);
  expect(
    (
      await request.post("/api/ingest/deployments", {
        headers: ci("wrong-token-000000000"),
        data: report,
      })
    ).status(),
  ).toBe(401);
  expect(
    (
      await request.post("/api/ingest/deployments", {
        headers: { ...ci(), "content-type": "text/plain" },
        data: JSON.stringify(report),
      })
    ).status(),
  ).toBe(415);
  expect(
    (
      await request.post("/api/ingest/deployments", {
        headers: ci(),
        data: { ...report, message: "x".repeat(20_000) },
      })
    ).status(),
  ).toBe(413);
  const bad = await request.post("/api/ingest/deployments", {
    headers: ci(),
    data: { ...report, status: "done", commitSha: "zzz" },
  });
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({
    issues: expect.arrayContaining([
      expect.objectContaining({ path: "status" }),
      expect.objectContaining({ path: "commitSha" }),
    ]),
  });
  expect(
    (
      await request.post("/api/ingest/deployments", {
        headers: ci(),
        data: { ...report, service: "nope" },
      })
    ).status(),
  ).toBe(400);
  expect(
    (await request.post("/api/ingest/deployments", { headers: ci(), data: "{not json" })).status(),
  ).toBe(400);

  const created = await request.post("/api/ingest/deployments", { headers: ci(), data: report });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const updated = await request.post("/api/ingest/deployments", {
    headers: ci(),
    data: { ...report, status: "succeeded" },
  });
  expect(updated.status()).toBe(200);
  expect(await updated.json()).toEqual({ id });
});

test("an operator rolls the demo back from the timeline; the job, the list, the deployment page and Slack all say 'verified healthy'; a viewer sees no rollback button", async ({
  browser,
  request,
}) => {
  test.slow();
  const old = await request.post("/api/ingest/deployments", {
    headers: ci(),
    data: {
      service: "backend",
      environment: "staging",
      version: "3.0.0",
      status: "succeeded",
      startedAt: hoursAgo(3),
      finishedAt: hoursAgo(2.9),
      commitSha: "a1b2c3d",
      externalId: "e2e-staging-3.0.0",
    },
  });
  expect(old.ok()).toBe(true);
  await request.post("/api/ingest/deployments", {
    headers: ci(),
    data: {
      service: "backend",
      environment: "staging",
      version: "3.1.0",
      status: "succeeded",
      startedAt: hoursAgo(1),
      finishedAt: hoursAgo(0.9),
      externalId: "e2e-staging-3.1.0",
    },
  });
  // What CI said is live is what the demo serves.
  expect((await request.post(`${DEMO_STAGING}/deploy`, { data: { version: "3.1.0" } })).ok()).toBe(
    true,
  );

  const viewer = await (
    await browser.newContext({ storageState: storageState("viewer") })
  ).newPage();
  await viewer.goto("/deployments?service=backend&environment=staging");
  await expect(viewer.getByTestId("timeline-staging")).toContainText("3.0.0");
  await expect(viewer.getByRole("button", { name: "Roll back to this version" })).toHaveCount(0);

  const page = await (
    await browser.newContext({ storageState: storageState("operator") })
  ).newPage();
  await page.goto("/deployments?service=backend&environment=staging");
  const row = page
    .getByTestId("timeline-staging")
    .getByRole("row")
    .filter({ hasText: "3.0.0" })
    .first();
  await row.getByRole("button", { name: "Roll back to this version" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("live now 3.1.0 → after 3.0.0");
  await dialog.getByRole("button", { name: "Roll back now" }).click();
  const progress = page.getByTestId("job-progress");
  await expect(progress).toContainText("succeeded", { timeout: 120_000 });
  await expect(progress).toContainText(
    "Outcome: verified healthy (every monitor passed 2 checks in a row).",
  );
  expect(await (await request.get(`${DEMO_STAGING}/version`)).json()).toEqual({ version: "3.0.0" });

  await page.reload();
  const rollback = page
    .getByTestId("timeline-staging")
    .getByRole("row")
    .filter({ hasText: "rollback of" })
    .first();
  await expect(rollback).toContainText("3.0.0");
  await expect(rollback).toContainText("live");
  await expect(rollback.getByTestId("deploy-result")).toContainText("verified healthy");
  await expect(page.getByTestId("compare-backend")).toContainText("Staging runs 3.0.0");
  await page.goto((await rollback.getByRole("link").first().getAttribute("href"))!);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("3.0.0");
  await expect(page.getByTestId("deploy-result")).toContainText("verified healthy");

  // One message, once the checks passed, in the same words.
  const deploys = async () =>
    (
      (await (
        await request.get(
          `${NOTIFY_URL}/__messages?path=${encodeURIComponent("/slack/e2e/deploys")}`,
        )
      ).json()) as { text: string | null; blocks: unknown[] | null }[]
    )
      .map((m) => `${m.text}\n${JSON.stringify(m.blocks)}`)
      .filter((m) => m.includes("Rollback to 3.0.0"));
  await expect.poll(async () => (await deploys()).length, { timeout: 30_000 }).toBe(1);
  const [message] = await deploys();
  expect(message).toContain("Rollback finished");
  expect(message).toContain("Rollback to 3.0.0 of Navi backend in Staging: verified healthy");
  expect(message).not.toMatch(/succeeded|FIRING|RESOLVED/);
});

test("twenty rollback requests at once reach the platform exactly once", async ({ baseURL }) => {
  test.slow();
  const operator = await requests.newContext({ baseURL, storageState: storageState("operator") });
  // The platform's deployments arrive through the poller, which runs at start.
  let id: number | undefined;
  await expect(async () => {
    const html = await (
      await operator.get("/deployments?service=web&environment=production")
    ).text();
    const m = /href="\/deployments\/(\d+)"(?:(?!<\/tr>)[\s\S])*?2c7a1d6/.exec(html);
    id = m ? Number(m[1]) : undefined;
    expect(id).toBeDefined();
  }).toPass({ timeout: 90_000 });
  await fetch(`http://127.0.0.1:${RAILWAY_PORT}/__calls`, { method: "DELETE" });
  // The platform holds the rollback's deployment until all twenty are answered, so they all
  // meet the running job however slowly a busy machine serves them.
  const railway = (body: object) =>
    fetch(`http://127.0.0.1:${RAILWAY_PORT}/__control`, {
      method: "POST",
      body: JSON.stringify(body),
    });
  await railway({ nextDeployOutcome: "STUCK" });
  const rollback = serverActions().find((a) => a.name === "rollbackDeployment")!;
  const calls = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      callAction(operator, rollback.id, [
        { deploymentId: id, confirm: "Production", requestKey: `e2e-person-${i}-${Date.now()}` },
      ]),
    ),
  ).finally(() => railway({ release: true }));
  const jobIds = new Set(
    calls.map((c) => (c.result as { data?: { jobId: number } } | null)?.data?.jobId),
  );
  expect(calls.every((c) => c.result?.ok)).toBe(true);
  expect(jobIds.size).toBe(1);
  const [jobId] = [...jobIds];
  await expect(async () => {
    const job = (await (await operator.get(`/api/jobs/${jobId}`)).json()) as {
      job: { status: string };
    };
    expect(["succeeded", "failed"]).toContain(job.job.status);
  }).toPass({ timeout: 60_000 });
  const recorded = (await (await fetch(`http://127.0.0.1:${RAILWAY_PORT}/__calls`)).json()) as {
    field: string;
  }[];
  expect(recorded.filter((c) => c.field === "deploymentRollback")).toHaveLength(1);
});

test("the Deployments page shows what runs where, the delivery figures, and links the runbook", async ({
  browser,
}) => {
  const page = await (await browser.newContext({ storageState: storageState("viewer") })).newPage();
  await page.goto("/deployments");
  await expect(page.getByTestId("dora")).toContainText("Success rate");
  await expect(page.getByTestId("compare-web")).toBeVisible();
  await page.getByRole("link", { name: "Runbook: rolling back" }).click();
  await expect(
    page.getByRole("heading", { name: "Runbook: rolling back a deployment" }),
  ).toBeVisible();
});

test("the header's environment switcher narrows Deployments; the page's own filter wins; the switcher is absent where it would change nothing", async ({
  browser,
}) => {
  const page = await (await browser.newContext({ storageState: storageState("viewer") })).newPage();
  await page.goto("/deployments");
  await expect(page.getByTestId("timeline-production")).toBeVisible();
  await expect(page.getByTestId("timeline-staging")).toBeVisible();

  const switcher = page.getByRole("banner").getByLabel("Environment");
  await switcher.selectOption("staging");
  await expect(page.getByTestId("timeline-production")).toHaveCount(0);
  await expect(page.getByTestId("timeline-staging")).toBeVisible();
  // The filter form says which environment is applied, so the narrowing is never hidden.
  await expect(
    page.getByRole("form", { name: "Filter deployments" }).getByLabel("Environment"),
  ).toHaveValue("staging");

  // A link that names its environment shows that one, whatever the switcher says.
  await page.goto("/deployments?environment=production");
  await expect(page.getByTestId("timeline-production")).toBeVisible();
  await expect(page.getByTestId("timeline-staging")).toHaveCount(0);

  // Pages that do not filter by environment do not offer the switcher.
  for (const path of ["/uptime", "/backups", "/alerts", "/oncall"]) {
    await page.goto(path);
    await expect(page.getByRole("main")).toBeVisible();
    await expect(page.getByRole("banner").getByLabel("Environment")).toHaveCount(0);
  }
  await page.goto("/deployments");
  await page.getByRole("banner").getByLabel("Environment").selectOption("all");
  await expect(page.getByTestId("timeline-production")).toBeVisible();
  await expect(page.getByTestId("timeline-staging")).toBeVisible();
});
