import { expect, test, type Page } from "@playwright/test";
import { unique } from "./helpers";
import { ACCOUNTS, storageState } from "./stack";

// The public status page of the e2e config (statusPages: navi, services backend and the
// always-down ghost, cacheSeconds 2): no sign-in, nothing internal, fits a phone, and
// shows the public updates an operator posts from an alert's page.

const PHONE = { width: 390, height: 844 };
/** What only the console may show: monitor targets and ids, rule names, errors, people. */
const INTERNAL = [
  "127.0.0.1",
  "ghost-port",
  "backend-production-health",
  "Navi /health",
  "Decommissioned worker port",
  "Decommissioned worker unreachable",
  "ghost-down",
  "connection refused",
  "ECONNREFUSED",
  ...Object.values(ACCOUNTS).map((a) => a.email),
];

async function ghostAlertId(page: Page): Promise<number> {
  let id = 0;
  await expect
    .poll(
      async () => {
        const { alerts } = (await (await page.request.get("/api/alerts")).json()) as {
          alerts: { id: number; ruleId: string }[];
        };
        id = alerts.find((a) => a.ruleId === "ghost-down")?.id ?? 0;
        return id;
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThan(0);
  return id;
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] }, viewport: PHONE });

  test("anyone sees the services, 90 day bars and the overall state; nothing internal, no sideways scroll", async ({
    page,
  }) => {
    const res = await page.goto("/status/navi");
    expect(res!.status()).toBe(200);
    expect(page.url()).toMatch(/\/status\/navi$/);
    expect(res!.headers()["cache-control"]).toBe("public, max-age=30");
    await expect(page).toHaveTitle("Navi status");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Navi status");
    const services = page.getByTestId("status-service");
    await expect(services).toHaveCount(2);
    await expect(services.nth(0).getByRole("heading")).toHaveText("Navi backend");
    await expect(services.nth(1).getByRole("heading")).toHaveText("Decommissioned worker");
    for (const i of [0, 1])
      await expect(services.nth(i).getByTestId("status-bars").getByRole("listitem")).toHaveCount(
        90,
      );
    // Today's segment says its date and figure.
    const today = new Date().toISOString().slice(0, 10);
    await expect(services.nth(0).getByRole("listitem").last()).toHaveAttribute(
      "title",
      new RegExp(`^${today}: `),
    );
    // The worker never answers: once it has been checked, a partial outage.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("overall-state")).toHaveText("Partial outage", {
        timeout: 1000,
      });
    }).toPass({ timeout: 60_000 });
    await expect(services.nth(1)).toContainText("Outage");
    await expect(page.getByRole("navigation")).toHaveCount(0);

    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);

    const html = await page.content();
    for (const word of INTERNAL)
      expect(html, `the public page shows "${word}"`).not.toContain(word);

    const json = await page.request.get("/api/status/navi");
    expect(json.status()).toBe(200);
    expect(json.headers()["cache-control"]).toBe("public, max-age=30");
    const body = (await json.json()) as { services: { name: string; days: unknown[] }[] };
    expect(body.services.map((s) => [s.name, s.days.length])).toEqual([
      ["Navi backend", 90],
      ["Decommissioned worker", 90],
    ]);
    const text = JSON.stringify(body);
    for (const word of INTERNAL) expect(text, `the JSON shows "${word}"`).not.toContain(word);

    expect((await page.request.get("/status/no-such-page")).status()).toBe(404);
    expect((await page.request.get("/api/status/no-such-page")).status()).toBe(404);
  });
});

test.describe("an operator", () => {
  test.use({ storageState: storageState("operator") });

  test("posts an update from the alert page and it appears on the public page", async ({
    page,
    browser,
  }) => {
    const id = await ghostAlertId(page);
    await page.goto(`/alerts/${id}`);
    const form = page.getByRole("form", { name: "Post a status update" });
    await expect(form).toBeVisible();
    await expect(form.getByRole("link", { name: "/status/navi" })).toBeVisible();
    const title = `Worker unavailable ${unique()}`;
    const message = `We are moving background work to a new host (${unique()}).`;
    // An earlier run may have named this incident already; then there is no title field.
    const titleField = form.getByLabel("Public title");
    const named = (await titleField.count()) === 0;
    if (!named) {
      // Without a title, the first update is refused with a clear message.
      await form.getByLabel("Message").fill(message);
      await titleField.fill("   ");
      await form.getByRole("button", { name: "Post update" }).click();
      await expect(form.getByRole("alert")).toHaveText("The first public update needs a title.");
      await titleField.fill(title);
    }
    await form.getByLabel("Status").selectOption("identified");
    await form.getByLabel("Message").fill(message);
    await form.getByRole("button", { name: "Post update" }).click();
    await expect(form.getByRole("status")).toContainText("Posted.");
    await expect(page.getByTestId("status-updates")).toContainText(message);
    await expect(page.getByTestId("status-updates")).toContainText(ACCOUNTS.operator.email);

    const anonymous = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const pub = await anonymous.newPage();
    await pub.goto("/status/navi");
    const incident = pub
      .getByRole("region", { name: "Active incidents" })
      .getByTestId("public-incident")
      .filter({ hasText: message });
    // The page is computed at most every 2 s in this config.
    await expect(async () => {
      await pub.reload();
      await expect(incident).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(incident).toContainText("Identified");
    await expect(incident).toContainText("Decommissioned worker");
    if (!named) await expect(incident.getByRole("heading")).toHaveText(title);
    const html = await pub.content();
    for (const word of INTERNAL)
      expect(html, `the public page shows "${word}"`).not.toContain(word);
    await anonymous.close();
  });

  test("a viewer sees the updates but no form", async ({ browser }) => {
    const viewer = await browser.newContext({ storageState: storageState("viewer") });
    const page = await viewer.newPage();
    const id = await ghostAlertId(page);
    await page.goto(`/alerts/${id}`);
    await expect(page.getByRole("heading", { name: "Public status updates" })).toBeVisible();
    await expect(page.getByRole("form", { name: "Post a status update" })).toHaveCount(0);
    await viewer.close();
  });
});
