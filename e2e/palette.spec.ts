import { expect, test, type Page } from "@playwright/test";
import { BASE_URL, storageState } from "./stack";

test.use({ storageState: storageState("viewer") });

const INSTANCE = "Navi operations \\(e2e\\)";
/** `<what> · <environment in view> · <instance>`, whatever environment the cookie holds. */
const titled = (what: string) => new RegExp(`^${what} · ${INSTANCE}$`);

test.describe("the command palette", () => {
  test("Ctrl-K opens it; typing a monitor's name and Enter opens that monitor", async ({
    page,
  }) => {
    await page.goto("/alerts");
    const dialog = page.getByRole("dialog", { name: /Search pages/ });
    // The shortcut works once the page has hydrated; until then the key press is the browser's.
    await expect(async () => {
      await page.keyboard.press("Control+k");
      await expect(dialog).toBeVisible({ timeout: 1_000 });
    }).toPass();
    await expect(dialog).toHaveAttribute("aria-modal", "true");
    const field = dialog.getByRole("combobox");
    await expect(field).toBeFocused();
    await field.fill("navi health production");
    const first = dialog.getByRole("option").first();
    await expect(first).toHaveAttribute("data-href", "/uptime/backend-production-health");
    await expect(first).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/uptime\/backend-production-health$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(
      "Navi /health (production)",
    );
    await expect(dialog).toBeHidden();
  });

  test("arrow keys move through the results; Escape closes and focus returns to the button", async ({
    page,
  }) => {
    await page.goto("/");
    const opener = page.getByRole("button", { name: /^Search/ });
    const dialog = page.getByRole("dialog", { name: /Search pages/ });
    await expect(async () => {
      await opener.click();
      await expect(dialog).toBeVisible({ timeout: 1_000 });
    }).toPass();
    const field = dialog.getByRole("combobox");
    await field.fill("uptime");
    const options = dialog.getByRole("option");
    await expect(options.nth(1)).toBeVisible();
    await expect(options.nth(0)).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("ArrowDown");
    await expect(options.nth(1)).toHaveAttribute("aria-selected", "true");
    await expect(options.nth(0)).toHaveAttribute("aria-selected", "false");
    await expect(field).toHaveAttribute(
      "aria-activedescendant",
      (await options.nth(1).getAttribute("id"))!,
    );
    await page.keyboard.press("ArrowUp");
    await expect(options.nth(0)).toHaveAttribute("aria-selected", "true");
    // Tab stays inside the dialog.
    for (let i = 0; i < 5; i++) await page.keyboard.press("Tab");
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);

    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(opener).toBeFocused();
    await expect(page).toHaveURL(/\/$/);
  });

  test("a viewer is not offered the Users page; it says when nothing matches", async ({ page }) => {
    await page.goto("/");
    const dialog = page.getByRole("dialog", { name: /Search pages/ });
    await expect(async () => {
      await page.keyboard.press("Control+k");
      await expect(dialog).toBeVisible({ timeout: 1_000 });
    }).toPass();
    await dialog.getByRole("combobox").fill("users");
    await expect(dialog.getByText(/Nothing matches|Users/).first()).toBeVisible();
    await expect(dialog.locator('[data-href="/settings/users"]')).toHaveCount(0);
    await dialog.getByRole("combobox").fill("zzqqxxnothing");
    await expect(dialog.getByText("Nothing matches “zzqqxxnothing”.")).toBeVisible();
  });

  test("the search endpoint refuses oversized queries", async ({ page }) => {
    const tooLong = await page.request.get(`/api/search?q=${"a".repeat(201)}`);
    expect(tooLong.status()).toBe(400);
    expect(await tooLong.json()).toMatchObject({ error: /at most 200 characters/ });
  });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the menu's Search opens the palette; Escape gives focus back to the menu button", async ({
    page,
  }) => {
    await page.goto("/");
    const menu = page.getByRole("button", { name: "Menu" });
    const dialog = page.getByRole("dialog", { name: /Search pages/ });
    await expect(async () => {
      await menu.click();
      await page
        .getByRole("dialog", { name: "Navigation" })
        .getByRole("button", { name: "Search" })
        .click({ timeout: 1_000 });
      await expect(dialog).toBeVisible({ timeout: 1_000 });
    }).toPass();
    await expect(page.getByRole("dialog", { name: "Navigation" })).toBeHidden();
    await dialog.getByRole("combobox").fill("on-call");
    await expect(dialog.getByRole("option").first()).toHaveAttribute("data-href", "/oncall");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(menu).toBeFocused();
  });
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test("the search endpoint answers 401, and finds nothing", async ({ request }) => {
    const res = await request.get("/api/search?q=navi", { maxRedirects: 0 });
    expect(res.status()).toBe(401);
    expect(await res.text()).not.toContain("Navi");
  });
});

test("every page's title names the thing, then the section", async ({ page }) => {
  const cases: [string, RegExp][] = [
    ["/uptime", titled("Uptime")],
    ["/uptime/backend-production-health", titled("Navi /health \\(production\\) · Uptime")],
    ["/alerts", titled("Alerts")],
    // Deployments honours the environment switcher, and names the environment in view.
    ["/deployments", titled("Deployments · [^·]+")],
    ["/runbooks/rollback", titled("[^·]+ · Runbooks")],
    ["/docs/config", titled("[^·]+ · Docs")],
    ["/settings/jobs", titled("Jobs · Settings")],
  ];
  for (const [url, title] of cases) {
    await page.goto(url);
    await expect(page, url).toHaveTitle(title);
  }
  // A thing that does not exist is titled as such, inside the app's own page.
  for (const url of ["/uptime/no-such-monitor", "/alerts/999999", "/no-such-page"]) {
    await page.goto(url);
    await expect(page, url).toHaveTitle(/^Not found\b/);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
});

test.describe("the dark theme", () => {
  test.use({ colorScheme: "dark" });

  /** The page's background and any visible box still painted pure white. */
  async function paint(page: Page) {
    return page.evaluate(() => {
      const canvas = document.createElement("canvas").getContext("2d")!;
      const rgb = (css: string) => {
        canvas.clearRect(0, 0, 1, 1);
        canvas.fillStyle = css;
        canvas.fillRect(0, 0, 1, 1);
        return Array.from(canvas.getImageData(0, 0, 1, 1).data);
      };
      const [r, g, b] = rgb(getComputedStyle(document.body).backgroundColor);
      const white = Array.from(document.querySelectorAll<HTMLElement>("body *"))
        .filter((el) => {
          const box = el.getBoundingClientRect();
          if (box.width < 8 || box.height < 8) return false;
          const [r, g, b, a] = rgb(getComputedStyle(el).backgroundColor);
          return a! > 200 && r! > 240 && g! > 240 && b! > 240;
        })
        .map((el) => el.outerHTML.slice(0, 120));
      return { luminance: (r! + g! + b!) / 3, white };
    });
  }

  const PAGES: Record<string, string> = {
    "/": "overview",
    "/uptime": "uptime",
    "/uptime/backend-production-health": "monitor",
    "/alerts": "alerts",
    "/deployments": "deployments",
    "/oncall": "oncall",
    "/settings": "settings",
    "/runbooks/rollback": "runbook",
  };

  test("signed-in pages are dark, with no white boxes left", async ({ page }, info) => {
    for (const [url, name] of Object.entries(PAGES)) {
      await page.goto(url);
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: info.outputPath(`dark-${name}.png`), fullPage: true });
      const { luminance, white } = await paint(page);
      expect(luminance, `${url} background`).toBeLessThan(60);
      expect(white, `${url} white boxes`).toEqual([]);
    }
  });

  test.describe("signed out", () => {
    test.use({ storageState: { cookies: [], origins: [] } });
    test("the sign-in page is dark too", async ({ page }, info) => {
      await page.goto("/login");
      await page.screenshot({ path: info.outputPath("dark-login.png"), fullPage: true });
      const { luminance, white } = await paint(page);
      expect(luminance).toBeLessThan(60);
      expect(white).toEqual([]);
    });
  });

  test("in the light theme the page stays light", async ({ browser }) => {
    const context = await browser.newContext({
      colorScheme: "light",
      storageState: storageState("viewer"),
    });
    const page = await context.newPage();
    await page.goto(`${BASE_URL}/uptime`);
    expect((await paint(page)).luminance).toBeGreaterThan(200);
    await context.close();
  });
});
