import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { unique } from "./helpers";
import { CI_TOKEN, storageState } from "./stack";

// Every page of the build on a phone (390 × 844, as an admin, who sees the most): nothing
// is wider than the screen, so the page never scrolls sideways (a wide table scrolls
// inside its own box, or becomes cards), and a menu button opens the navigation.

const PHONE = { width: 390, height: 844 };
/** Pages whose screenshots at 390 and 1440 px are kept in test-results to look at. */
const SHOTS: Record<string, string> = {
  "/": "overview",
  "/alerts": "alerts",
  "/uptime": "uptime",
  "/deployments": "deployments",
  "/metrics/targets": "metrics-targets",
};
test.use({ storageState: storageState("admin"), viewport: PHONE });

/** Page routes of the build, from Next's manifest (as e2e/auth-pages.spec.ts reads them). */
function pageRoutes(): string[] {
  const file = path.join(".next", "app-path-routes-manifest.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  return Object.entries(manifest)
    .filter(([file]) => file.endsWith("/page") && !file.startsWith("/_"))
    .map(([, route]) => route)
    .sort();
}

const segments = (p: string) => p.split("/").filter(Boolean);

/** Which route of the build serves `pathname`: a static segment beats a dynamic one, as in Next. */
function routeOf(pathname: string, routes: string[]): string | undefined {
  const parts = segments(pathname);
  const candidates = routes.filter((route) => {
    const rs = segments(route);
    return rs.length === parts.length && rs.every((s, i) => s.startsWith("[") || s === parts[i]);
  });
  const rank = (route: string) =>
    segments(route)
      .map((s) => (s.startsWith("[") ? "1" : "0"))
      .join("");
  return candidates.sort((a, b) => rank(a).localeCompare(rank(b)))[0];
}

/**
 * One concrete URL per page route: static routes as they are; dynamic ones from the
 * first link to them found by following links from the static pages (and their tabs),
 * so a new page needs no entry here, only a link from somewhere.
 */
async function concreteUrls(request: APIRequestContext, routes: string[]) {
  const found = new Map<string, string>();
  for (const r of routes) if (!r.includes("[")) found.set(r, r);
  // Documents are linked from runbook pages, which the crawl does not follow on.
  if (routes.includes("/docs/[...path]")) found.set("/docs/[...path]", "/docs/config");
  // Acknowledge links arrive in Slack and email, not from a page: one that is not valid.
  if (routes.includes("/alerts/ack/[token]"))
    found.set("/alerts/ack/[token]", "/alerts/ack/not-a-token");
  const queue = [...found.values()].filter((u) => u !== "/login");
  const seen = new Set(queue);
  while (queue.length && found.size < routes.length && seen.size < 80) {
    const url = queue.shift()!;
    const html = await (await request.get(url)).text();
    for (const [, href] of html.matchAll(/href="(\/[^"#]*)"/g)) {
      const link = href!.replace(/&amp;/g, "&");
      const { pathname } = new URL(link, "http://x");
      if (pathname.startsWith("/api/") || pathname.startsWith("/_next/")) continue;
      const route = routeOf(pathname, routes);
      if (!route) continue;
      if (!found.has(route)) found.set(route, pathname);
      // Tabs and filters of a static page lead on to more pages (the rules tab to a rule).
      if (!route.includes("[") && !seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  return found;
}

/** The elements sticking out past the right edge of the screen, outside any box that scrolls. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const clipped = (el: Element | null): boolean => {
      for (let p = el?.parentElement; p && p !== document.body; p = p.parentElement) {
        const overflowX = getComputedStyle(p).overflowX;
        if (overflowX !== "visible") return true;
      }
      return false;
    };
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5 || clipped(el)) continue;
      const id = el.getAttribute("data-testid") ?? el.id;
      out.push(
        `<${el.tagName.toLowerCase()}${id ? ` ${id}` : ""} class="${el.getAttribute("class") ?? ""}"> right=${Math.round(box.right)}: ${(el.textContent ?? "").trim().slice(0, 60)}`,
      );
      if (out.length >= 5) break;
    }
    return out;
  });
}

async function pageWidth(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

test("every page of the build fits a 390 px screen: no sideways page scroll", async ({
  page,
  browser,
}, info) => {
  test.setTimeout(240_000);
  // Something behind every dynamic page: a firing alert (the unreachable "ghost" monitor's
  // rule fires soon after start) and a deployment.
  await expect
    .poll(
      async () => {
        const { alerts } = (await (await page.request.get("/api/alerts")).json()) as {
          alerts: { ruleId: string }[];
        };
        return alerts.some((a) => a.ruleId === "ghost-down");
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  const deployed = await page.request.post("/api/ingest/deployments", {
    headers: { authorization: `Bearer ${CI_TOKEN}` },
    data: {
      service: "ghost",
      environment: "production",
      version: `mobile-${unique()}`,
      status: "succeeded",
    },
  });
  expect(deployed.status()).toBe(201);
  const routes = pageRoutes();
  const urls = await concreteUrls(page.request, routes);
  expect(
    routes.filter((r) => !urls.has(r)),
    "pages no link leads to",
  ).toEqual([]);
  const problems: string[] = [];
  for (const [route, url] of urls) {
    const target =
      route === "/login" ? await (await browser.newContext({ viewport: PHONE })).newPage() : page;
    await target.goto(url);
    await target.waitForLoadState("networkidle");
    const { scrollWidth, innerWidth } = await pageWidth(target);
    if (SHOTS[url])
      await target.screenshot({ path: info.outputPath(`${SHOTS[url]}-390.png`), fullPage: true });
    if (scrollWidth > innerWidth)
      problems.push(
        `${url}: ${scrollWidth} px wide\n    ${(await overflowing(target)).join("\n    ")}`,
      );
    if (target !== page) await target.context().close();
  }
  expect(problems, problems.join("\n")).toEqual([]);
});

test("on a phone a menu button opens the navigation; Escape closes it; a link in it navigates", async ({
  page,
}) => {
  await page.goto("/");
  const main = page.getByRole("navigation", { name: "Main" });
  await expect(main).toBeHidden();
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  const panel = page.getByRole("dialog", { name: "Navigation" });
  await expect(panel).toBeVisible();
  await expect(main).toBeVisible();
  // Focus moves into the panel (to the page you are on) and Tab stays inside it.
  await expect(main.getByRole("link", { name: "Overview" })).toBeFocused();
  for (let i = 0; i < 20; i++) await page.keyboard.press("Tab");
  expect(await panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);

  await page.keyboard.press("Escape");
  await expect(panel).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toBeFocused();

  await menu.click();
  await main.getByRole("link", { name: "Deployments" }).click();
  await expect(page).toHaveURL(/\/deployments$/);
  await expect(page.getByRole("heading", { name: "Deployments", level: 1 })).toBeVisible();
  await expect(panel).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
});

test("at 1440 px the sidebar shows, there is no menu button, and the main pages fit", async ({
  page,
}, info) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  for (const [url, name] of Object.entries(SHOTS)) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
    const { scrollWidth, innerWidth } = await pageWidth(page);
    expect(scrollWidth, url).toBeLessThanOrEqual(innerWidth);
    await page.screenshot({ path: info.outputPath(`${name}-1440.png`), fullPage: true });
  }
});

test("the first Tab reaches a skip link that moves focus past the navigation to the page", async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/deployments");
  const skip = page.getByRole("link", { name: "Skip to content" });
  // Hidden until focused (a 1 px clipped box, which Playwright counts as visible).
  expect((await skip.boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
  await page.keyboard.press("Tab");
  await expect(skip).toBeFocused();
  expect((await skip.boundingBox())?.width ?? 0).toBeGreaterThan(20);
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
  // The next Tab goes to something inside the page, not back to the sidebar.
  await page.keyboard.press("Tab");
  expect(
    await page.locator("main#main").evaluate((el) => el.contains(document.activeElement)),
  ).toBe(true);
});
