import { expect, request as requests, test, type APIRequestContext } from "@playwright/test";
import { callAction, serverActions } from "./actions";
import { storageState, type RoleName } from "./stack";

type Caller = RoleName | "anonymous";
const CALLERS: Caller[] = ["anonymous", "viewer", "operator", "admin"];
const RANK: Record<Caller, number> = { anonymous: -1, viewer: 0, operator: 1, admin: 2 };

/**
 * Every server action in the build, with the least role that may call it and an
 * argument that passes authorisation but is refused by validation (400), so the
 * admin's row proves it got past the role check without changing anything.
 */
const MATRIX: Record<string, { role: RoleName; probe: unknown }> = {
  createUser: { role: "admin", probe: { email: "not-an-email" } },
  changeUserRole: { role: "admin", probe: { userId: 1, role: "root" } },
  setUserDisabled: { role: "admin", probe: { userId: 1, disabled: "yes" } },
  resetUserPassword: { role: "admin", probe: { userId: 1, password: "short" } },
  startJob: { role: "admin", probe: { kind: "rm -rf /" } },
  cancelJob: { role: "operator", probe: { jobId: "all" } },
  reloadConfigAction: { role: "admin", probe: { unexpected: true } },
  sendSentryTest: { role: "admin", probe: { unexpected: true } },
  setMonitorPaused: { role: "operator", probe: { monitorId: "../etc", paused: "yes" } },
  triggerBackup: { role: "operator", probe: { backup: "../../etc/passwd" } },
  restoreBackupAction: { role: "admin", probe: { backupId: -1 } },
  rollbackDeployment: { role: "operator", probe: { deploymentId: "latest" } },
  redeployDeployment: { role: "operator", probe: { deploymentId: 0 } },
  ackAlert: { role: "operator", probe: { alertId: "all" } },
  ackAlertByLink: { role: "operator", probe: { token: 42 } },
  resolveAlert: { role: "operator", probe: { alertId: -1, falsePositive: "maybe" } },
  createSilence: { role: "operator", probe: { matchers: [], endsAt: "never", comment: "" } },
  expireSilence: { role: "operator", probe: { silenceId: "x" } },
  sendTestNotification: { role: "operator", probe: { channelId: "../../etc" } },
  createOncallOverride: { role: "operator", probe: { scheduleId: "x", person: "<script>" } },
  deleteOncallOverride: { role: "operator", probe: { overrideId: 0 } },
  createCalendarToken: { role: "viewer", probe: { unexpected: true } },
  postStatusUpdate: { role: "operator", probe: { alertId: "all", status: "fixed", message: "" } },
  previewConfigEditAction: {
    role: "admin",
    probe: { section: "../etc", op: "truncate", baseHash: "x" },
  },
  saveConfigEditAction: {
    role: "admin",
    probe: { section: "../etc", op: "truncate", baseHash: "x" },
  },
  // Every signed-in user sets their own zone; an unknown zone changes nothing.
  setOwnTimeZone: { role: "viewer", probe: { timeZone: "Mars/Olympus_Mons" } },
};

/** Route handlers: path, method, least role ("public" for none). */
const ROUTES: { path: string; method: "GET"; role: RoleName | "public" | "bearer" }[] = [
  { path: "/api/health", method: "GET", role: "public" },
  { path: "/api/status/navi", method: "GET", role: "public" },
  { path: "/api/jobs/1", method: "GET", role: "viewer" },
  { path: "/api/jobs/1/events", method: "GET", role: "viewer" },
  { path: "/api/metrics", method: "GET", role: "bearer" },
  { path: "/api/uptime/status", method: "GET", role: "viewer" },
  { path: "/api/live", method: "GET", role: "viewer" },
  { path: "/api/live?views=overview", method: "GET", role: "viewer" },
  { path: "/api/live?views=replicas%253Aservice%253Dbackend", method: "GET", role: "viewer" },
  { path: "/api/backups/1/download", method: "GET", role: "admin" },
  { path: "/api/alerts", method: "GET", role: "viewer" },
  // Prometheus's API for Grafana: a metrics token, or a viewer's session.
  { path: "/api/v1/query?query=vector(1)", method: "GET", role: "viewer" },
  { path: "/api/v1/status/buildinfo", method: "GET", role: "viewer" },
  { path: "/api/v1/query_exemplars?query=up", method: "GET", role: "viewer" },
  { path: "/api/v1/rules", method: "GET", role: "viewer" },
  { path: "/api/v1/alerts", method: "GET", role: "viewer" },
  // The personal calendar token is the credential; a session is not one.
  { path: "/api/oncall/e2e-primary.ics", method: "GET", role: "bearer" },
];

async function contextFor(caller: Caller, baseURL: string): Promise<APIRequestContext> {
  return requests.newContext({
    baseURL,
    storageState: caller === "anonymous" ? undefined : storageState(caller),
  });
}

test("the matrix covers every server action in the build", () => {
  expect(
    serverActions()
      .map((a) => a.name)
      .sort(),
  ).toEqual(Object.keys(MATRIX).sort());
});

for (const caller of CALLERS) {
  test(`server actions as ${caller}`, async ({ baseURL }) => {
    const request = await contextFor(caller, baseURL!);
    for (const action of serverActions()) {
      const { role, probe } = MATRIX[action.name]!;
      const call = await callAction(request, action.id, [probe]);
      const expected = caller === "anonymous" ? 401 : RANK[caller] < RANK[role] ? 403 : 400;
      expect(call.result, `${action.name} as ${caller}: ${call.body.slice(0, 300)}`).toMatchObject({
        ok: false,
        status: expected,
      });
    }
  });

  test(`route handlers as ${caller}`, async ({ baseURL }) => {
    const request = await contextFor(caller, baseURL!);
    for (const route of ROUTES) {
      const res = await request.get(route.path, { maxRedirects: 0 });
      const allowed =
        route.role === "public" ||
        (route.role !== "bearer" && caller !== "anonymous" && RANK[caller] >= RANK[route.role]);
      if (route.role === "bearer") expect(res.status(), route.path).toBe(401);
      else if (allowed) expect([200, 404], `${route.path} as ${caller}`).toContain(res.status());
      else
        expect(res.status(), `${route.path} as ${caller}`).toBe(caller === "anonymous" ? 401 : 403);
      await res.dispose();
    }
  });
}

test("a server action posted from another site is refused and changes nothing", async ({
  baseURL,
}) => {
  const request = await contextFor("admin", baseURL!);
  const create = serverActions().find((a) => a.name === "createUser")!;
  const call = await callAction(
    request,
    create.id,
    [
      {
        email: "csrf-victim@e2e.test",
        name: "Csrf",
        role: "admin",
        password: "planted-password-123",
      },
    ],
    { origin: "https://evil.example" },
  );
  expect(call.result?.ok).not.toBe(true);
  expect(call.httpStatus).toBe(403);
  const page = await request.get("/settings/users");
  expect(await page.text()).not.toContain("csrf-victim@e2e.test");
});

test("a server action body that is not what the action expects gets a clear refusal", async ({
  baseURL,
}) => {
  const request = await contextFor("admin", baseURL!);
  const create = serverActions().find((a) => a.name === "createUser")!;
  for (const args of [
    [null],
    ["a string"],
    [{ email: "x@e2e.test", name: "x".repeat(500), role: "viewer", password: "p".repeat(300) }],
  ]) {
    const call = await callAction(request, create.id, args);
    expect(call.result).toMatchObject({ ok: false, status: 400 });
  }
});
