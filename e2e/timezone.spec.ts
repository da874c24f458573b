import { expect, test, type Page } from "@playwright/test";
import { storageState } from "./stack";

/** Every <time> on the page reads as its instant in `zone`, 24-hour. */
async function expectTimesIn(page: Page, zone: string) {
  const times = page.locator("main time[datetime]");
  await expect(times.first()).toBeVisible();
  const shown = await times.evaluateAll((els) =>
    els.map((el) => ({ iso: el.getAttribute("datetime")!, text: el.textContent!.trim() })),
  );
  expect(shown.length).toBeGreaterThan(0);
  for (const { iso, text } of shown) expect(text, iso).toBe(inZone(iso, zone));
}

function inZone(at: string | number, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-US-u-ca-gregory-nu-latn", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")}`;
}

test.describe("a viewer's own time zone", () => {
  // Both tests change or read the same account's setting.
  test.describe.configure({ mode: "serial" });
  test.use({ storageState: storageState("viewer") });

  test("set to America/New_York, every time on /oncall is New York time and the zone is named", async ({
    page,
  }) => {
    await page.goto("/settings/preferences");
    const form = page.getByRole("form", { name: "Time zone" });
    await form.getByLabel("Time zone").selectOption("America/New_York");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("status")).toContainText("America/New_York");
    try {
      await page.goto("/oncall");
      await expect(page.getByTestId("time-zone-note").first()).toHaveText(
        "Times in America/New_York · change",
      );
      await expectTimesIn(page, "America/New_York");
      // The calendar's today is New York's today.
      const ny = inZone(Date.now(), "America/New_York");
      const [, month, day] = ny.slice(0, 10).split("-").map(Number);
      await expect(page.getByTestId("calendar-e2e-primary").locator(".ring-2")).toContainText(
        `${day}/${month}`,
      );
      // The page's time zone link leads to the setting.
      await page
        .getByTestId("time-zone-note")
        .first()
        .getByRole("link", { name: "change" })
        .click();
      await expect(page.getByRole("combobox", { name: "Time zone" })).toHaveValue(
        "America/New_York",
      );
    } finally {
      await page.goto("/settings/preferences");
      await page.getByRole("combobox", { name: "Time zone" }).selectOption("");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByRole("status")).toContainText("your browser's zone");
    }
  });

  test("an invalid zone is refused and nothing changes", async ({ page }) => {
    await page.goto("/settings/preferences");
    const select = page.getByRole("combobox", { name: "Time zone" });
    await select.evaluate((el: HTMLSelectElement) => {
      const o = document.createElement("option");
      o.value = "Mars/Olympus";
      o.textContent = "Mars/Olympus";
      el.append(o);
    });
    await select.selectOption("Mars/Olympus");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toContainText("Pick a time zone from the list");
    await page.reload();
    await expect(page.getByRole("combobox", { name: "Time zone" })).toHaveValue("");
  });
});

test.describe("a browser in Tokyo, no setting", () => {
  test.use({ storageState: storageState("operator"), timezoneId: "Asia/Tokyo" });

  test("sees Tokyo times on /oncall, and the override form reads typed times as Tokyo time", async ({
    page,
  }) => {
    await page.goto("/oncall");
    await expect(page.getByTestId("time-zone-note").first()).toHaveText(
      "Times in Asia/Tokyo · change",
    );
    await expectTimesIn(page, "Asia/Tokyo");

    const form = page.getByRole("form", { name: "Override E2E primary" });
    await expect(form.getByLabel(/^From/)).toHaveAccessibleName(/Asia\/Tokyo/);
    // Tomorrow 10:00–11:30 in Tokyo, typed as wall-clock time.
    const tomorrow = inZone(Date.now() + 86_400_000, "Asia/Tokyo").slice(0, 10);
    const reason = `tz check ${Date.now().toString(36)}`;
    await form.getByLabel("Person").fill("admin@e2e.test");
    await form.getByLabel(/^From/).fill(`${tomorrow}T10:00`);
    await form.getByLabel(/^Until/).fill(`${tomorrow}T11:30`);
    await form.getByLabel("Reason").fill(reason);
    await form.getByRole("button", { name: "Add override" }).click();
    const row = page
      .getByTestId("overrides-e2e-primary")
      .getByRole("row")
      .filter({ hasText: reason });
    await expect(row).toContainText(`${tomorrow} 10:00:00`);
    await expect(row).toContainText(`${tomorrow} 11:30:00`);
    await expect(row).toContainText("1h 30m");
    await expect(row).toContainText("Ada Admin");
    await expectTimesIn(page, "Asia/Tokyo");
  });
});
