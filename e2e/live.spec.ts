import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { LIVE_HEARTBEAT_TOKEN, storageState } from "./stack";

// The live state every page shows (the Overview's firing-alert card, the navigation's
// Alerts count, the monitors) follows the server without a reload. The "live-beat"
// heartbeat is this file's own: a failed ping makes its rule fire at once, and its
// alert notifies nobody (e2e/opsdeck.e2e.yaml).

test.use({ storageState: storageState("viewer") });
test.describe.configure({ mode: "serial" });

const SUMMARY = /Live-state heartbeat is down/;
const ping = (request: APIRequestContext, suffix = "", message?: string) =>
  request.post(`/api/ingest/heartbeat/${LIVE_HEARTBEAT_TOKEN}${suffix}`, {
    data: message ? { message } : {},
  });

type Live = { alerts: { firing: { total: number }; newest: { ruleId: string }[] } };
async function firingNow(page: Page) {
  const live = (await (await page.request.get("/api/live")).json()) as Live;
  return {
    total: live.alerts.firing.total,
    ours: live.alerts.newest.some((a) => a.ruleId === "live-beat-down"),
  };
}

/** The navigation's Alerts count and the Overview's "(N)" say what the server says now. */
async function expectCountsToMatchServer(page: Page, ours: boolean, overview: boolean) {
  await expect(async () => {
    const now = await firingNow(page);
    expect(now.ours).toBe(ours);
    const badge = page.getByTestId("nav-badge-alerts");
    if (now.total === 0) await expect(badge).toHaveCount(0, { timeout: 1 });
    else await expect(badge).toHaveText(String(now.total), { timeout: 1 });
    if (overview)
      await expect(page.getByTestId("firing-count")).toHaveText(`(${now.total})`, { timeout: 1 });
  }).toPass({ timeout: 45_000 });
}

test.afterAll(async ({ request }) => {
  await ping(request);
});

test("an alert that fires while the Overview is open shows on its card and in the navigation's count, and leaves both when it resolves, without a reload", async ({
  page,
  request,
}) => {
  test.slow();
  expect((await ping(request)).status()).toBe(200);
  await page.goto("/");
  const card = page.getByTestId("firing-alerts");
  await expectCountsToMatchServer(page, false, true);
  await expect(card).not.toContainText(SUMMARY);
  const loads: string[] = [];
  page.on("framenavigated", (f) => f === page.mainFrame() && loads.push(f.url()));

  expect((await ping(request, "/fail", "live e2e")).status()).toBe(200);
  await expect(card.getByRole("link", { name: SUMMARY })).toBeVisible({ timeout: 45_000 });
  await expectCountsToMatchServer(page, true, true);
  await expect(card).not.toContainText("Nothing is firing");

  expect((await ping(request)).status()).toBe(200);
  await expect(card).not.toContainText(SUMMARY, { timeout: 45_000 });
  await expectCountsToMatchServer(page, false, true);
  expect(loads, "the page was never reloaded").toEqual([]);
});

test("the Uptime page's row and the navigation's count follow the same cache, and the Overview reached by a link is current", async ({
  page,
  request,
}) => {
  test.slow();
  await page.goto("/uptime");
  const row = page.getByTestId("monitor-row-live-beat");
  await expect(row.getByText("up", { exact: true })).toBeVisible({ timeout: 30_000 });
  // One poll loop per tab, to one endpoint: the old per-widget status endpoint is not asked.
  const asked = new Set<string>();
  page.on("request", (r) => asked.add(new URL(r.url()).pathname));

  expect((await ping(request, "/fail", "live e2e")).status()).toBe(200);
  await expect(row.getByText("down", { exact: true })).toBeVisible({ timeout: 45_000 });
  await expect(row).toContainText("job failed: live e2e");
  await expectCountsToMatchServer(page, true, false);
  expect(asked.has("/api/live")).toBe(true);
  expect(asked.has("/api/uptime/status")).toBe(false);

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Overview" })
    .click();
  await expect(page).toHaveURL(/\/$/);
  await expect(
    page.getByTestId("firing-alerts").getByRole("link", { name: SUMMARY }),
  ).toBeVisible();
  await expectCountsToMatchServer(page, true, true);

  expect((await ping(request)).status()).toBe(200);
  await expect(page.getByTestId("firing-alerts")).not.toContainText(SUMMARY, { timeout: 45_000 });
  await expectCountsToMatchServer(page, false, true);
});

test("the Alerts page shows an alert that fires while it is open, without a reload", async ({
  page,
  request,
}) => {
  test.slow();
  await page.goto("/alerts");
  const row = page.getByTestId(/^alert-\d+$/).filter({ hasText: "Live-state heartbeat failed" });
  await expect(row).toHaveCount(0);
  expect((await ping(request, "/fail", "live e2e")).status()).toBe(200);
  await expect(row).toBeVisible({ timeout: 45_000 });
  expect((await ping(request)).status()).toBe(200);
  await expect(row).toHaveCount(0, { timeout: 45_000 });
});

test("each page's poll carries what that page shows: the Overview its summary, /uptime one filtered page, a monitor page one monitor", async ({
  page,
}) => {
  const polled = () =>
    page
      .waitForResponse(
        (r) =>
          new URL(r.url()).pathname === "/api/live" && new URL(r.url()).search.includes("views="),
        { timeout: 20_000 },
      )
      .then(async (r) => ({ url: new URL(r.url()), body: await r.json() }));

  let poll = polled();
  await page.goto("/");
  let { url, body } = await poll;
  // The Overview's summary, and its line of replica counts (scraped services' replicas).
  expect(url.searchParams.get("views")).toBe(`overview,${encodeURIComponent("replica-summary:")}`);
  expect(Object.keys(body.views)).toEqual(["overview", "replica-summary:"]);
  expect(body.views.overview.cells).toBeTruthy();
  expect(body.views.overview.monitors, "no row per monitor").toBeUndefined();

  poll = polled();
  await page.goto("/uptime?status=up");
  ({ url, body } = await poll);
  const key = decodeURIComponent(url.searchParams.get("views")!.split(",")[0]!);
  expect(key).toBe("list:status=up");
  const list = body.views[key];
  expect(list.total).toBeGreaterThan(0);
  expect(list.monitors.length).toBeLessThanOrEqual(50);
  expect(list.monitors.every((m: { status: string }) => m.status === "up")).toBe(true);

  poll = polled();
  await page.goto("/uptime/live-beat");
  ({ url, body } = await poll);
  expect(url.searchParams.get("views")).toBe(encodeURIComponent("one:live-beat"));
  expect(body.views["one:live-beat"].monitors.map((m: { id: string }) => m.id)).toEqual([
    "live-beat",
  ]);
});

test("a hostile or malformed views query is refused with a 400 that says why", async ({
  request,
}) => {
  for (const [query, says] of [
    ["views=everything", "unknown view"],
    ["views=list%3Acolour%3Dred", "unknown filter"],
    ["views=list%3Apage%3D0", "page"],
    ["views=a,b,c,d,e", "at most 4"],
    [`views=${"x".repeat(5000)}`, "too long"],
  ] as const) {
    const res = await request.get(`/api/live?${query}`);
    expect(res.status(), query).toBe(400);
    expect(await res.text(), query).toContain(says);
  }
});
