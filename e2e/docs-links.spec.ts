import { expect, test } from "@playwright/test";
import { storageState } from "./stack";

test.use({ storageState: storageState("viewer") });

const isDocPage = (path: string) => /^\/(runbooks|docs)(\/|$)/.test(path);

test("every link on every runbook page, and on the documents they lead to, opens in the app at an anchor that exists", async ({
  page,
  baseURL,
}) => {
  test.slow();
  await page.goto("/runbooks");
  const start = await page
    .locator("main a[href^='/runbooks/']")
    .evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
  expect(start.length).toBeGreaterThanOrEqual(5);
  const queue = [...new Set(start)];
  const seen = new Set(queue);
  const broken: string[] = [];
  const checked = new Map<string, number>();
  while (queue.length > 0) {
    const from = queue.shift()!;
    const res = await page.goto(from);
    expect(res?.status(), from).toBe(200);
    const hrefs = await page
      .locator("article a[href]")
      .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin !== new URL(baseURL!).origin) {
        broken.push(`${from}: ${href} leaves the app`);
        continue;
      }
      if (!checked.has(url.pathname)) {
        checked.set(url.pathname, (await page.request.get(url.pathname)).status());
      }
      if (checked.get(url.pathname) !== 200) {
        broken.push(`${from}: ${url.pathname} answers ${checked.get(url.pathname)}`);
        continue;
      }
      if (url.hash) {
        const target = await page.context().newPage();
        await target.goto(url.pathname);
        const id = decodeURIComponent(url.hash.slice(1));
        if ((await target.locator(`[id="${id}"]`).count()) !== 1)
          broken.push(`${from}: ${url.pathname} has no ${url.hash}`);
        await target.close();
      }
      if (isDocPage(url.pathname) && !seen.has(url.pathname)) {
        seen.add(url.pathname);
        queue.push(url.pathname);
      }
    }
  }
  expect(broken).toEqual([]);
  // The runbooks lead to the configuration reference and the ADRs, rendered in the app.
  expect([...seen]).toEqual(expect.arrayContaining(["/docs/config", "/runbooks/rollback"]));
});

test("a document outside the runbooks is rendered for anyone signed in, and its links stay in the app", async ({
  page,
}) => {
  await page.goto("/runbooks/opsdeck-itself");
  await page.getByRole("link", { name: "config.md" }).first().click();
  await expect(page).toHaveURL(/\/docs\/config$/);
  await expect(page.getByRole("heading", { name: "Configuration reference" })).toBeVisible();
  expect((await page.request.get("/docs/no-such-document")).status()).toBe(404);
  expect((await page.request.get("/docs/..%2Fpackage")).status()).toBe(404);
});

test("signed out, a document page sends you to sign in", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/docs/config");
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});
