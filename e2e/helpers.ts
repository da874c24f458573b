import { expect, type Browser, type Page } from "@playwright/test";
import { storageState, type RoleName } from "./stack";

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** A page already signed in as `role` (from the setup project's storageState). */
export async function pageAs(browser: Browser, role: RoleName): Promise<Page> {
  const context = await browser.newContext({ storageState: storageState(role) });
  return context.newPage();
}

/** A unique suffix, so tests sharing one server never collide on emails. */
export const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
