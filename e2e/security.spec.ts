import { expect, test } from "@playwright/test";
import { storageState } from "./stack";

test.describe("security headers", () => {
  test("pages carry a nonce-based CSP and the hardening headers", async ({ request }) => {
    const res = await request.get("/login");
    const h = res.headers();
    expect(h["content-security-policy"]).toMatch(
      /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/,
    );
    expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy"]).not.toContain("unsafe-eval");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["permissions-policy"]).toContain("camera=()");
    expect(h["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(h["x-powered-by"]).toBeUndefined();
    // Served over plain http here: no HSTS.
    expect(h["strict-transport-security"]).toBeUndefined();
    const nonce = /'nonce-([^']+)'/.exec(h["content-security-policy"]!)![1];
    const again = (await request.get("/login")).headers()["content-security-policy"];
    expect(again).not.toContain(nonce);
    expect(await res.text()).toContain(`nonce="${nonce}"`);
  });

  test("HSTS is sent when the request arrived over HTTPS", async ({ request }) => {
    const res = await request.get("/login", { headers: { "x-forwarded-proto": "https" } });
    expect(res.headers()["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });

  test("a request id sent by the caller is echoed; a hostile one is replaced", async ({
    request,
  }) => {
    expect(
      (await request.get("/api/health", { headers: { "x-request-id": "trace-123" } })).headers()[
        "x-request-id"
      ],
    ).toBe("trace-123");
    const hostile = (
      await request.get("/api/health", { headers: { "x-request-id": "<script>" } })
    ).headers()["x-request-id"];
    expect(hostile).not.toBe("<script>");
  });

  test("APIs send no permissive CORS headers", async ({ request }) => {
    for (const path of ["/api/health", "/api/jobs/1", "/api/auth/session"]) {
      const res = await request.get(path, { headers: { origin: "https://evil.example" } });
      expect(res.headers()["access-control-allow-origin"], path).toBeUndefined();
      expect(res.headers()["access-control-allow-credentials"], path).toBeUndefined();
    }
    const preflight = await request.fetch("/api/jobs/1", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers()["access-control-allow-origin"]).toBeUndefined();
  });
});

test("no page breaks its own Content-Security-Policy", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageState("admin") });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  for (const path of ["/", "/audit", "/settings", "/settings/users", "/settings/jobs", "/uptime"]) {
    await page.goto(path);
    await expect(page.getByRole("heading").first()).toBeVisible();
  }
  expect(violations).toEqual([]);
});

test("health says how Opsdeck is without revealing anything sensitive", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({
    status: "ok",
    checks: { database: { status: "ok" } },
    version: expect.any(String),
  });
  expect(JSON.stringify(body)).not.toMatch(
    /\/tmp|opsdeck-e2e|e2e\.yaml|password|secret|@e2e\.test/,
  );
});

test("metrics need the bearer token when one is set, and expose request timing by route and job counts", async ({
  request,
}) => {
  expect((await request.get("/api/metrics")).status()).toBe(401);
  expect(
    (await request.get("/api/metrics", { headers: { authorization: "Bearer wrong" } })).status(),
  ).toBe(401);
  await request.get("/api/health");
  const res = await request.get("/api/metrics", {
    headers: { authorization: "Bearer e2e-metrics-token-0123456789abcdef" },
  });
  expect(res.status()).toBe(200);
  const text = await res.text();
  expect(text).toMatch(
    /opsdeck_http_request_duration_seconds_bucket\{le="0\.5",method="GET",route="\/api\/health",status="200"\} [1-9]/,
  );
  expect(text).toContain("process_cpu_user_seconds_total");
  expect(text).toContain("opsdeck_build_info");
  expect(text).toMatch(/opsdeck_scheduler_leader 1/);
});
