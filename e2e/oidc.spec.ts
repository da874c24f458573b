import { expect, test, type Page } from "@playwright/test";
import { BASE_URL } from "./stack";

async function ssoSignIn(page: Page, login: string, password: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with Test SSO" }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("single sign-on maps the groups claim to a role", async ({ page }) => {
  await ssoSignIn(page, "sso-admin", "sso-password");
  await expect(page).toHaveURL(`${BASE_URL}/`);
  await page.getByLabel("User menu").click();
  await expect(page.getByTestId("user-name")).toHaveText("Sso Admin");
  await expect(page.getByTestId("user-role")).toHaveText("admin");
});

test("a user in no mapped group gets the default role", async ({ page }) => {
  await ssoSignIn(page, "sso-viewer", "sso-password");
  await expect(page).toHaveURL(`${BASE_URL}/`);
  await page.getByLabel("User menu").click();
  await expect(page.getByTestId("user-role")).toHaveText("viewer");
  await page.goto("/settings/users");
  await expect(page).toHaveURL(/\/forbidden/);
});

test("the identity provider refuses a wrong password and Opsdeck creates no session", async ({
  page,
}) => {
  await ssoSignIn(page, "sso-operator", "wrong");
  await expect(page).not.toHaveURL(new RegExp(`^${BASE_URL}/$`));
  await page.goto(`${BASE_URL}/settings`);
  await expect(page).toHaveURL(/\/login/);
});
