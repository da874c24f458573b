import { expect, request as requests, test } from "@playwright/test";
import { signIn } from "./helpers";
import { ACCOUNTS, BASE_URL } from "./stack";

test.describe("after sign-in, only Opsdeck", () => {
  // Each spelling of another host that a careless check lets through.
  const OFFSITE = [
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/steal",
    "http://127.0.0.1:4600@evil.example/",
    "/.//evil.example",
    "https:evil.example",
  ];

  test("a signed-in user sent to the sign-in page with an off-site callback stays on Opsdeck", async ({
    page,
  }) => {
    // A dozen page loads, one after another.
    test.setTimeout(90_000);
    await signIn(page, ACCOUNTS.viewer.email, ACCOUNTS.viewer.password);
    // Tab and newline are dropped by URL parsing, which is how /%09/evil.com got past the old check.
    for (const raw of ["/%09/evil.com", "/%0a/evil.com", "/%09/%09/evil.com"]) {
      const res = await page.goto(`/login?callbackUrl=${raw}`);
      expect(res?.status(), raw).toBe(400);
      expect(new URL(page.url()).origin, raw).toBe(BASE_URL);
    }
    for (const target of OFFSITE) {
      await page.goto(`/login?callbackUrl=${encodeURIComponent(target)}`);
      await page.waitForURL((url) => url.pathname !== "/login");
      expect(new URL(page.url()).origin, target).toBe(BASE_URL);
    }
    await page.goto(`/login?callbackUrl=${encodeURIComponent("/audit?action=auth.login")}`);
    await expect(page).toHaveURL(`${BASE_URL}/audit?action=auth.login`);
  });

  test("signing in through the form with an off-site callback lands on the overview", async ({
    page,
  }) => {
    for (const target of ["//evil.example/", "/.//evil.example"]) {
      await page.context().clearCookies();
      await page.goto(`/login?callbackUrl=${encodeURIComponent(target)}`);
      await page.getByLabel("Email").fill(ACCOUNTS.viewer.email);
      await page.getByLabel("Password").fill(ACCOUNTS.viewer.password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.waitForURL((url) => url.pathname !== "/login");
      expect(new URL(page.url()).origin, target).toBe(BASE_URL);
    }
  });

  test("the sign-in box never shows text taken from the address", async ({ page }) => {
    await page.goto(
      `/login?error=${encodeURIComponent("Your account is locked. Call +1 555 0100.")}`,
    );
    await expect(page.locator("main").getByRole("alert")).toHaveText("Sign-in failed. Try again.");
    await page.goto("/login?error=OAuthCallback");
    await expect(page.locator("main").getByRole("alert")).toHaveText(
      "Single sign-on did not complete. Try again.",
    );
  });
});

test("sign-out ends the session on the server: the old cookie replayed is refused", async ({
  browser,
}) => {
  // Two browsers sign in and one signs out: more steps than most tests.
  test.setTimeout(90_000);
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const page = await laptop.newPage();
  await signIn(page, ACCOUNTS.operator.email, ACCOUNTS.operator.password);
  await signIn(await phone.newPage(), ACCOUNTS.operator.email, ACCOUNTS.operator.password);
  const stolen = (await laptop.cookies()).find((c) => c.name.endsWith("next-auth.session-token"))!;
  expect(stolen).toBeTruthy();

  await page.getByLabel("User menu").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/, { timeout: 20_000 });

  // Someone who copied the cookie before the sign-out replays it.
  const replay = await requests.newContext({
    baseURL: BASE_URL,
    extraHTTPHeaders: { cookie: `${stolen.name}=${stolen.value}` },
  });
  const pageRes = await replay.get("/settings", { maxRedirects: 0 });
  expect(pageRes.status()).toBe(307);
  expect(pageRes.headers()["location"]).toMatch(/^\/login/);
  expect((await replay.get("/api/jobs/1")).status()).toBe(401);
  // next-auth's own endpoint does not renew it either.
  expect(await (await replay.get("/api/auth/session")).json()).toEqual({});
  await replay.dispose();

  // Signing out one browser leaves the user's other browser signed in.
  const other = await phone.newPage();
  await other.goto("/settings");
  await expect(other).toHaveURL(`${BASE_URL}/settings`);
  await laptop.close();
  await phone.close();
});
