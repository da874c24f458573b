import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { HEARTBEAT_TOKEN, storageState } from "./stack";

/** The demo instance only this file breaks (playwright.config.ts), watched by figures-health. */
const DEMO_FIGURES = "http://127.0.0.1:4604";
const MONITOR = "figures-health";

async function statusOf(request: APIRequestContext): Promise<string | undefined> {
  const body = (await (await request.get("/api/uptime/status")).json()) as {
    monitors: { id: string; status: string }[];
  };
  return body.monitors.find((m) => m.id === MONITOR)?.status;
}

const pct = (text: string | null) => /(\d+(?:\.\d+)?%|—)/.exec(text ?? "")?.[1] ?? null;

/** The 24 h uptime of figures-health as four places show it. */
async function fourFigures(page: Page, request: APIRequestContext) {
  await page.goto("/");
  const overview = pct(
    /24 h (\S+)/.exec(
      (await page.getByTestId("cell-figures-production").textContent()) ?? "",
    )?.[1] ?? null,
  );
  await page.goto("/uptime");
  const list = pct(
    await page.getByTestId(`monitor-row-${MONITOR}`).getByTestId("uptime-24h").textContent(),
  );
  await page.goto(`/uptime/${MONITOR}`);
  const monitorPage = pct(await page.getByTestId("figure-uptime").textContent());
  const svg = await (await request.get(`/api/badge/${MONITOR}`)).text();
  const badge = pct(/aria-label="[^"]*: \w+ ([^"]+)"/.exec(svg)?.[1] ?? null);
  return { overview, list, monitorPage, badge };
}

test.describe("uptime figures", () => {
  test.use({ storageState: storageState("viewer") });

  test("after an outage, one monitor's 24 h uptime is the same time-weighted number on the Overview, /uptime, its page and its badge, and its chart shows the outage as a band", async ({
    page,
    request,
    browser,
  }) => {
    test.setTimeout(240_000);
    const api = page.request;
    await expect.poll(() => statusOf(api), { timeout: 60_000 }).toBe("up");
    const chaos = await request.post(`${DEMO_FIGURES}/chaos`, {
      data: { mode: "down", durationSeconds: 180 },
    });
    expect(chaos.ok()).toBe(true);
    try {
      await expect.poll(() => statusOf(api), { timeout: 90_000 }).toBe("down");
    } finally {
      await request.delete(`${DEMO_FIGURES}/chaos`);
    }
    await expect.poll(() => statusOf(api), { timeout: 90_000 }).toBe("up");

    // Paused, the figure stops at the last check: every place must show that one number.
    const operator = await (
      await browser.newContext({ storageState: storageState("operator") })
    ).newPage();
    await operator.goto(`/uptime/${MONITOR}`);
    await operator.getByRole("button", { name: "Pause checks" }).click();
    await expect(operator.getByTestId("live-status")).toContainText("paused");
    try {
      const f = await fourFigures(page, request);
      expect(f.overview).toMatch(/^\d+\.\d\d%$/);
      expect(f).toEqual({
        overview: f.overview,
        list: f.overview,
        monitorPage: f.overview,
        badge: f.overview,
      });
    } finally {
      await operator.getByRole("button", { name: "Resume checks" }).click();
      await operator.context().close();
    }

    // The monitor is minutes old: its figures say they count from its first check.
    await expect(page.getByTestId("figure-uptime-note")).toContainText("since the first check");
    await page.goto("/uptime");
    await expect(
      page.getByTestId(`monitor-row-${MONITOR}`).getByTestId("uptime-90d"),
    ).toContainText("since");
    // The outage is a band on the response-time chart.
    await page.goto(`/uptime/${MONITOR}?range=1h`);
    await expect(page.getByTestId("response-chart").locator(".down-band").first()).toBeAttached();
    await expect(page.getByTestId("incident-table")).toContainText("HTTP 503");
  });

  test("a heartbeat's page shows its pings, period and grace, no response time; the ping URL's token only to operators", async ({
    page,
    browser,
  }) => {
    await page.goto("/uptime/e2e-backup");
    await expect(page.getByRole("heading", { name: "Heartbeat", exact: true })).toBeVisible();
    await expect(page.getByTestId("figure-expected-every")).toHaveText("1h");
    await expect(page.getByTestId("figure-grace")).toHaveText("10m");
    await expect(page.getByTestId("ping-timeline")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Response time" })).toHaveCount(0);
    await expect(page.getByTestId("figure-p95")).toHaveCount(0);
    const viewerUrls = page.getByTestId("ping-urls");
    await expect(viewerUrls).toContainText("/api/ingest/heartbeat/<token>/fail");
    expect(await page.content()).not.toContain(HEARTBEAT_TOKEN);

    const operator = await (
      await browser.newContext({ storageState: storageState("operator") })
    ).newPage();
    await operator.goto("/uptime/e2e-backup");
    const urls = operator.getByTestId("ping-urls");
    for (const suffix of ["", "/start", "/fail"])
      await expect(urls).toContainText(
        `curl -fsS -m 10 --retry 5 -o /dev/null http://127.0.0.1:4600/api/ingest/heartbeat/${HEARTBEAT_TOKEN}${suffix}`,
      );
    await operator.context().close();
  });
});
