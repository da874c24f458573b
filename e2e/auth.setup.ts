import fs from "node:fs";
import { expect, test as setup } from "@playwright/test";
import { ACCOUNTS, storageState, type RoleName } from "./stack";
import { signIn } from "./helpers";

// Signs in once per role through the real form and keeps the cookies for the specs.
for (const role of Object.keys(ACCOUNTS) as RoleName[]) {
  setup(`sign in as ${role}`, async ({ page }) => {
    fs.mkdirSync("e2e/.auth", { recursive: true });
    await signIn(page, ACCOUNTS[role].email, ACCOUNTS[role].password);
    await expect(page.getByTestId("user-name")).toHaveText(ACCOUNTS[role].name);
    await page.context().storageState({ path: storageState(role) });
  });
}
