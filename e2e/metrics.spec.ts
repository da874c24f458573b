import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, request as requests, test } from "@playwright/test";
import { pageAs } from "./helpers";
import { BASE_URL, METRICS_API_TOKEN } from "./stack";

const run = promisify(execFile);
const bearer = { authorization: `Bearer ${METRICS_API_TOKEN}` };

test("a viewer sees every replica on Scrape targets: the demo up, the missing one down with its reason", async ({
  browser,
}) => {
  const page = await pageAs(browser, "viewer");
  await expect(async () => {
    await page.goto("/metrics/targets");
    await expect(page.getByTestId("target-navi-production-127.0.0.1:4601")).toContainText("up", {
      timeout: 1000,
    });
  }).toPass({ timeout: 20_000 });
  const down = page.getByTestId("target-navi-staging-127.0.0.1:4699");
  await expect(down).toContainText("down");
  await expect(down).toContainText("connection refused");
  const up = page.getByTestId("target-navi-production-127.0.0.1:4601");
  await expect(up).toContainText("Navi backend · Production · every 2s");
  // Samples scraped: a number, not a dash.
  await expect(up.locator("td").nth(4)).toHaveText(/^\d[\d,]*$/);

  await page.getByLabel("Health").selectOption("down");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("targets").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByText("Showing 1–1 of 1 replicas")).toBeVisible();
  await page.close();
});

test("a viewer explores a derived metric in PromQL: chart, table, resolution and time; a bad query says what and where", async ({
  browser,
}) => {
  const page = await pageAs(browser, "viewer");
  // Some traffic to the demo so rates are non-zero.
  for (let i = 0; i < 5; i++) await page.request.get("http://127.0.0.1:4601/health");
  await page.goto("/metrics");
  const box = page.getByLabel("PromQL query");
  await box.fill("scrape_samples_scr");
  await page
    .getByTestId("completions")
    .getByRole("button", { name: "scrape_samples_scraped" })
    .click();
  await expect(box).toHaveValue("scrape_samples_scraped");
  await box.fill('sum by (environment) (rate(http_requests_total{job=~"navi-.*"}[1m]))');
  await page.getByRole("button", { name: "Run query" }).click();
  await expect(page).toHaveURL(/\/metrics\?q=sum/);
  await expect(page.getByTestId("explore-chart")).toBeVisible();
  const table = page.getByTestId("explore-table");
  await expect(table).toContainText('{environment="production"}');
  await expect(page.getByTestId("query-stats")).toContainText("resolution raw");
  await expect(page.getByTestId("query-stats")).toContainText(/server \d+(\.\d)? ms/);

  // The URL reproduces the view; another range keeps the query.
  await page.getByRole("button", { name: "6h" }).click();
  await expect(page).toHaveURL(/range=6h/);
  await expect(page.getByTestId("query-stats")).toContainText("step 120s");

  await box.fill("rate(http_requests_total[5m]");
  await page.getByRole("button", { name: "Run query" }).click();
  await expect(page.getByTestId("query-error")).toContainText("bad_data");
  await expect(page.getByTestId("query-error")).toContainText(/1:\d+: parse error/);
  await page.close();
});

test("Prometheus's HTTP API: a token or a viewer session, Prometheus's JSON and error types, promtool works against it", async ({
  browser,
}) => {
  const anon = await requests.newContext({ baseURL: BASE_URL });
  expect((await anon.get("/api/v1/query?query=up")).status()).toBe(401);
  expect(
    (
      await anon.get("/api/v1/query?query=up", {
        headers: { authorization: "Bearer nope-nope-nope" },
      })
    ).status(),
  ).toBe(401);

  await expect(async () => {
    const res = await anon.get("/api/v1/query?query=up", { headers: bearer });
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("success");
    expect(body.data.resultType).toBe("vector");
    const prod = body.data.result.find(
      (r: { metric: Record<string, string> }) => r.metric.instance === "127.0.0.1:4601",
    );
    expect(prod.metric).toMatchObject({
      __name__: "up",
      job: "navi-production",
      service: "backend",
    });
    expect(prod.value[1]).toBe("1");
    const missing = body.data.result.find(
      (r: { metric: Record<string, string> }) => r.metric.instance === "127.0.0.1:4699",
    );
    expect(missing.value[1]).toBe("0");
  }).toPass({ timeout: 20_000 });

  // POST with a form body, as Grafana sends it.
  const now = Date.now() / 1000;
  const range = await anon.post("/api/v1/query_range", {
    headers: { ...bearer, "content-type": "application/x-www-form-urlencoded" },
    data: new URLSearchParams({
      query: "sum(scrape_samples_scraped)",
      start: String(now - 60),
      end: String(now),
      step: "15",
    }).toString(),
  });
  expect(range.status()).toBe(200);
  expect((await range.json()).data.resultType).toBe("matrix");

  const bad = async (url: string, status: number, errorType: string, message: RegExp) => {
    const res = await anon.get(url, { headers: bearer });
    expect(res.status(), url).toBe(status);
    const body = await res.json();
    expect(body, url).toMatchObject({ status: "error", errorType });
    expect(body.error, url).toMatch(message);
  };
  await bad("/api/v1/query?query=rate(up)", 400, "bad_data", /expected 1 argument|range vector/);
  await bad("/api/v1/query?query=nosuchfn(up)", 400, "bad_data", /nosuchfn/);
  // A regex whose expansion would explode: refused as RE2 refuses it, at once.
  await bad(
    `/api/v1/query?query=${encodeURIComponent('up{job=~"(a{1000}){1000}"}')}`,
    400,
    "bad_data",
    /invalid repeat count/,
  );
  await bad("/api/v1/query?query=up&time=yesterday", 400, "bad_data", /invalid parameter "time"/);
  await bad(
    `/api/v1/query_range?query=up&start=0&end=${10 * 365 * 86400}&step=1`,
    400,
    "bad_data",
    /exceeded maximum resolution of 11,000 points/,
  );
  await bad(
    "/api/v1/query_range?query=up&start=10&end=0&step=1",
    400,
    "bad_data",
    /end timestamp must not be before start/,
  );
  await bad("/api/v1/series", 400, "bad_data", /no match\[\] parameter/);
  await bad("/api/v1/series?match[]={}", 400, "bad_data", /at least one non-empty matcher/);
  await bad(
    '/api/v1/series?match[]={job=~".*"}',
    400,
    "bad_data",
    /at least one non-empty matcher/,
  );
  await bad("/api/v1/label/1bad/values", 400, "bad_data", /invalid label name/);

  const names = await (await anon.get("/api/v1/label/__name__/values", { headers: bearer })).json();
  expect(names.data).toEqual(
    expect.arrayContaining(["up", "http_requests_total", "navi_taps_sent_total"]),
  );
  const series = await (
    await anon.get('/api/v1/series?match[]=up{instance="127.0.0.1:4601"}', { headers: bearer })
  ).json();
  expect(series.data).toEqual([
    expect.objectContaining({ __name__: "up", instance: "127.0.0.1:4601" }),
  ]);
  const meta = await (
    await anon.get("/api/v1/metadata?metric=http_requests_total", { headers: bearer })
  ).json();
  expect(meta.data.http_requests_total[0]).toMatchObject({
    type: "counter",
    help: "HTTP requests answered.",
  });

  // A viewer's session works too (the explore page uses it).
  const viewer = await pageAs(browser, "viewer");
  const viaSession = await viewer.request.get("/api/v1/query?query=vector(1)");
  expect(await viaSession.json()).toMatchObject({
    status: "success",
    data: { resultType: "vector" },
  });
  await viewer.close();

  // promtool, Prometheus's own client, against Opsdeck (2.42's takes credentials in the URL only).
  const server = BASE_URL.replace("http://", `http://grafana:${METRICS_API_TOKEN}@`);
  const { stdout } = await run("promtool", [
    "query",
    "instant",
    server,
    'up{instance="127.0.0.1:4601"}',
  ]);
  expect(stdout).toMatch(/^up\{.*instance="127\.0\.0\.1:4601".*\} => 1 @\[/m);
  await expect(
    run("promtool", [
      "query",
      "instant",
      BASE_URL.replace("http://", "http://grafana:wrong@"),
      "up",
    ]),
  ).rejects.toThrow(/401|Unauthorized/i);
  await anon.dispose();
});
