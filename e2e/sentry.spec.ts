import { expect, test } from "@playwright/test";
import { SENTRY_PORT, storageState } from "./stack";

test.use({ storageState: storageState("admin") });

test("with SENTRY_DSN set, an admin's test error reaches the Sentry endpoint", async ({
  page,
  request,
}) => {
  await page.goto("/settings");
  await page.getByRole("button", { name: "Send test error to Sentry" }).click();
  await expect(page.getByText(/Sent event [0-9a-f]{32}\./)).toBeVisible({ timeout: 15_000 });
  const received = (await (
    await request.get(`http://127.0.0.1:${SENTRY_PORT}/__received`)
  ).json()) as {
    event: { exception?: { values?: { value?: string }[] }; environment?: string };
  }[];
  const event = received.find((r) =>
    r.event.exception?.values?.some((v) => v.value === "Opsdeck test error (sent from Settings)"),
  );
  expect(event?.event.environment).toBe("e2e");
  expect(JSON.stringify(received)).not.toContain("e2e-admin-password");
});
