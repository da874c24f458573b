import { expect, test, type APIRequestContext } from "@playwright/test";
import { pageAs } from "./helpers";
import { ACCOUNTS, ACK_HEARTBEAT_TOKEN, NOTIFY_URL } from "./stack";

// The "ack-beat" heartbeat is this file's own (e2e/opsdeck.e2e.yaml): a failed ping fires
// its rule at once, and the alert goes to the #ack Slack channel only.

type Received = { at: string; path: string; text: string | null; blocks: unknown[] | null };
const ACK_CHANNEL = "/slack/e2e/ack";

async function slack(request: APIRequestContext): Promise<Received[]> {
  return (
    await request.get(`${NOTIFY_URL}/__messages?path=${encodeURIComponent(ACK_CHANNEL)}`)
  ).json();
}
const ping = (request: APIRequestContext, suffix = "") =>
  request.post(`/api/ingest/heartbeat/${ACK_HEARTBEAT_TOKEN}${suffix}`, { data: {} });

test.describe.configure({ mode: "serial" });

test.afterAll(async ({ request }) => {
  await ping(request);
});

test("the Slack message's Acknowledge link: sign in, acknowledge with a note, the note is on the timeline, the channel hears who, and the link works once", async ({
  browser,
  request,
}) => {
  test.slow();
  expect((await ping(request)).status()).toBe(200);
  const before = (await slack(request)).length;
  expect((await ping(request, "/fail")).status()).toBe(200);
  await expect
    .poll(async () => (await slack(request)).length, { timeout: 45_000 })
    .toBeGreaterThan(before);
  const firing = (await slack(request)).slice(before).find((m) => m.text?.includes("[FIRING"))!;
  expect(firing.text).toContain("Acknowledge-link heartbeat failed");
  const link = /<(http[^|>]+\/alerts\/ack\/[^|>]+)\|Acknowledge>/.exec(
    JSON.stringify(firing.blocks),
  )?.[1];
  expect(link, "the message carries an acknowledge link").toBeTruthy();
  const path = new URL(link!).pathname;

  // Not signed in: the link asks for sign-in, then comes back to the same page.
  const anonymous = await (await browser.newContext()).newPage();
  await anonymous.goto(path);
  await expect(anonymous).toHaveURL(/\/login\?callbackUrl=/);
  await anonymous.getByLabel("Email").fill(ACCOUNTS.operator.email);
  await anonymous.getByLabel("Password").fill(ACCOUNTS.operator.password);
  await anonymous.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(anonymous).toHaveURL(new RegExp(`${path.replace(/[.]/g, "\\.")}$`));
  await expect(
    anonymous.getByRole("heading", { name: /Acknowledge #\d+ Acknowledge-link heartbeat failed/ }),
  ).toBeVisible();
  const shown = anonymous.getByTestId("ack-link-alert");
  // Names, not ids: the service and environment as people call them.
  for (const part of ["warning", "Decommissioned worker · Production", "firing", "Since"])
    await expect(shown).toContainText(part);
  await anonymous.context().close();

  // A viewer sees the alert and a clear refusal, and no button.
  const viewer = await pageAs(browser, "viewer");
  await viewer.goto(path);
  await expect(viewer.getByTestId("ack-link-refused")).toContainText("needs the operator role");
  await expect(viewer.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  await viewer.context().close();

  // A tampered link changes nothing.
  const operator = await pageAs(browser, "operator");
  const at = path.length - 10; // inside the signature
  await operator.goto(path.slice(0, at) + (path[at] === "A" ? "B" : "A") + path.slice(at + 1));
  await expect(operator.getByTestId("ack-link-refused")).toContainText("not valid");

  // The operator acknowledges with a note and lands on the alert, whose timeline shows it.
  await operator.goto(path);
  const note = "Looking at it: the ghost worker is being decommissioned";
  await operator.getByLabel("Note (optional)").fill(note);
  await operator.getByRole("button", { name: "Acknowledge" }).click();
  await expect(operator).toHaveURL(/\/alerts\/\d+$/);
  const transitions = operator.getByTestId("transitions");
  await expect(transitions.getByRole("row").filter({ hasText: "acknowledged" })).toContainText(
    note,
  );
  await expect(transitions).toContainText(ACCOUNTS.operator.email);

  // The channel that was told of the alert is told who took it, with the note.
  await expect
    .poll(
      async () =>
        (await slack(request))
          .slice(before)
          .map((m) => m.text ?? "")
          .find((t) => t.includes("Acknowledged by")) ?? null,
      { timeout: 30_000 },
    )
    .toContain(`Acknowledged by ${ACCOUNTS.operator.name} (${ACCOUNTS.operator.email}): ${note}`);

  // The second use of the link is refused.
  await operator.goto(path);
  await expect(operator.getByTestId("ack-link-refused")).toContainText("already been used");
  await expect(operator.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  await operator.context().close();
});
