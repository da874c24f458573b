import { expect, test } from "@playwright/test";
import { signIn, unique } from "./helpers";
import { storageState } from "./stack";

test.use({ storageState: storageState("admin") });

test("an admin adds a user, changes the role, resets the password, disables and enables; each is audited with who, what, when and from where", async ({
  page,
  browser,
}) => {
  test.slow();
  const email = `nia-${unique()}@e2e.test`;
  await page.goto("/settings/users");
  const form = page.getByRole("form", { name: "Add user" });
  await form.getByLabel("Name").fill("Nia New");
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Initial password").fill("first-password-123");
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("status")).toHaveText(`Added ${email}.`);
  const row = page.getByTestId(`user-row-${email}`);
  await expect(row).toContainText("viewer");

  // The new user signs in, in another browser.
  const theirs = await (
    await browser.newContext({ storageState: { cookies: [], origins: [] } })
  ).newPage();
  await signIn(theirs, email, "first-password-123");
  await theirs.getByLabel("User menu").click();
  await expect(theirs.getByTestId("user-role")).toHaveText("viewer");

  await row.getByLabel(`Role for ${email}`).selectOption("operator");
  await expect(row.getByRole("status")).toHaveText("Role changed to operator.");
  // Their old session ended with the role change.
  await theirs.goto("/settings");
  await expect(theirs).toHaveURL(/\/login/);
  await signIn(theirs, email, "first-password-123");
  await theirs.getByLabel("User menu").click();
  await expect(theirs.getByTestId("user-role")).toHaveText("operator");

  await row.getByRole("button", { name: "Reset password" }).click();
  await row.getByLabel("New password", { exact: true }).fill("second-password-456");
  await row.getByRole("button", { name: "Set password", exact: true }).click();
  await expect(row.getByRole("status")).toHaveText("Password reset; their sessions have ended.");

  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByRole("status")).toHaveText("Disabled; their sessions have ended.");
  await expect(row).toContainText("disabled");
  await theirs.goto("/login");
  await theirs.getByLabel("Email").fill(email);
  await theirs.getByLabel("Password").fill("second-password-456");
  await theirs.getByRole("button", { name: "Sign in", exact: true }).click();
  // A disabled account is answered as a wrong password is: nothing tells it apart.
  await expect(theirs.locator("main").getByRole("alert")).toHaveText("Invalid email or password.");

  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row).toContainText("active");
  await signIn(theirs, email, "second-password-456");

  await page.goto("/audit?actor=admin%40e2e.test&action=users");
  const table = page.getByTestId("audit-table");
  // Actions in words, people by name, times in the viewer's zone (named once, above).
  for (const action of [
    "User added",
    "Role changed",
    "Password reset",
    "User disabled",
    "User enabled",
  ]) {
    const entry = table.getByRole("row").filter({ hasText: action }).first();
    await expect(entry).toContainText("Ada Admin");
    await expect(entry).toContainText("127.0.0.1");
    await expect(entry).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  }
  await expect(table).not.toContainText("second-password-456");
});

test("the form refuses a short password and a duplicate email, and stores nothing", async ({
  page,
}) => {
  await page.goto("/settings/users");
  const form = page.getByRole("form", { name: "Add user" });
  await form.getByLabel("Name").fill("Short");
  await form.getByLabel("Email").fill(`short-${unique()}@e2e.test`);
  await form.getByLabel("Initial password").fill("short");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(form.getByText("Password must be at least 12 characters")).toBeVisible();

  await form.getByLabel("Email").fill("viewer@e2e.test");
  await form.getByLabel("Initial password").fill("long-enough-password");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(form.getByText("This email is already in use.")).toBeVisible();
  await expect(page.getByTestId("user-row-viewer@e2e.test")).toHaveCount(1);
});

test("only admins see user management", async ({ browser }) => {
  for (const role of ["viewer", "operator"] as const) {
    const page = await (await browser.newContext({ storageState: storageState(role) })).newPage();
    await page.goto("/settings/users");
    await expect(page).toHaveURL(/\/forbidden/);
    await page.goto("/settings");
    await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Reload config" })).toHaveCount(0);
  }
});
