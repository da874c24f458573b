import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";
import { ACCOUNTS, BASE_URL } from "./stack";

test.describe("sign-in", () => {
  test("a wrong password is refused with a clear message and no session", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(ACCOUNTS.viewer.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.locator("main").getByRole("alert")).toHaveText("Invalid email or password.");
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
  });

  test("the form checks input before sending it", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(`${"a".repeat(250)}@example.com`);
    await page.getByLabel("Password").fill("whatever");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.locator("main").getByRole("alert")).toHaveText(
      "Email must be at most 254 characters",
    );
  });

  test("the server rejects a too-long email sent around the form, and a forged CSRF token", async ({
    request,
  }) => {
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as {
      csrfToken: string;
    };
    const tooLong = await request.post("/api/auth/callback/credentials", {
      form: { email: `${"a".repeat(300)}@example.com`, password: "x", csrfToken, json: "true" },
      maxRedirects: 0,
    });
    expect(decodeURIComponent(JSON.stringify(await tooLong.json()))).toContain(
      "Email must be at most 254 characters",
    );

    const forged = await request.post("/api/auth/callback/credentials", {
      form: {
        email: ACCOUNTS.viewer.email,
        password: ACCOUNTS.viewer.password,
        csrfToken: "forged",
        json: "true",
      },
      maxRedirects: 0,
    });
    expect(JSON.stringify(await forged.json())).toContain("csrf=true");
    expect((await (await request.get("/api/auth/session")).json()) as object).toEqual({});
  });

  test("a deep link survives sign-in; an off-site callback does not", async ({ page }) => {
    await page.goto("/audit?action=auth.login");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Faudit%3Faction%3Dauth.login/);
    await page.getByLabel("Email").fill(ACCOUNTS.viewer.email);
    await page.getByLabel("Password").fill(ACCOUNTS.viewer.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(`${BASE_URL}/audit?action=auth.login`);

    await page.context().clearCookies();
    await page.goto("/login?callbackUrl=https://evil.example/steal");
    await page.getByLabel("Email").fill(ACCOUNTS.viewer.email);
    await page.getByLabel("Password").fill(ACCOUNTS.viewer.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(`${BASE_URL}/`);
  });

  test("sign out ends the session", async ({ page }) => {
    await signIn(page, ACCOUNTS.operator.email, ACCOUNTS.operator.password);
    await page.getByLabel("User menu").click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/, { timeout: 20_000 });
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings/);
  });

  test("a tampered or expired session cookie sends you to sign in", async ({ page, context }) => {
    await signIn(page, ACCOUNTS.viewer.email, ACCOUNTS.viewer.password);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name.endsWith("next-auth.session-token"))!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe("Lax");
    await context.clearCookies();
    await context.addCookies([{ ...session, value: `${session.value.slice(0, -4)}AAAA` }]);
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/login/);
    await context.addCookies([{ ...session, expires: Math.floor(Date.now() / 1000) - 60 }]);
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/login/);
  });

  test("APIs answer 401, not a redirect, without a session", async ({ request }) => {
    const res = await request.get("/api/jobs/1", { maxRedirects: 0 });
    expect(res.status()).toBe(401);
    expect(await res.json()).toMatchObject({ error: "Sign in first." });
  });
});
