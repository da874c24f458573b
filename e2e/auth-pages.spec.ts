import fs from "node:fs";
import path from "node:path";
import { expect, request as requests, test, type APIRequestContext } from "@playwright/test";
import { unique } from "./helpers";
import { ACCOUNTS, CI_TOKEN, storageState, type RoleName } from "./stack";

// Every page of the build, asked for by someone who may not see it: nobody, and
// anyone below the page's role. Both as a normal request and as an RSC request
// that claims (with a forged Next-Router-State-Tree) to hold every layout above the
// page already, so that only the page segment renders: the layouts' session checks
// do not run then, and the page's own check is all there is.

type Caller = RoleName | "anonymous";
const RANK: Record<Caller, number> = { anonymous: -1, viewer: 0, operator: 1, admin: 2 };

/** The least role of each page route; "public" pages are for anyone. */
const ROLES: Record<string, RoleName | "public"> = {
  "/login": "public",
  "/": "viewer",
  "/[section]": "viewer",
  "/alerts": "viewer",
  "/alerts/[id]": "viewer",
  "/alerts/ack/[token]": "viewer",
  "/alerts/channels/[id]": "viewer",
  "/alerts/rules/[id]": "viewer",
  "/audit": "viewer",
  "/backups": "viewer",
  "/config/[section]": "admin",
  "/deployments": "viewer",
  "/deployments/[id]": "viewer",
  "/docs/[...path]": "viewer",
  "/forbidden": "viewer",
  "/jobs/[id]": "viewer",
  "/metrics": "viewer",
  "/metrics/targets": "viewer",
  "/oncall": "viewer",
  "/runbooks": "viewer",
  "/runbooks/[slug]": "viewer",
  "/settings": "viewer",
  "/settings/jobs": "viewer",
  "/settings/preferences": "viewer",
  "/settings/users": "admin",
  "/uptime": "viewer",
  "/uptime/[id]": "viewer",
  "/status/[slug]": "public",
};

/** Words from the e2e config and database that only a signed-in page shows. */
const SECRETS = [
  "Navi backend",
  "Navi /health",
  "Decommissioned worker",
  "Paging demo",
  "Backup heartbeat",
  "App database (production)",
  "Warehouse dump",
  "#critical",
  "#warnings",
  "Page by email",
  "E2E primary",
  "Runbook:",
  "jobs-table",
  "users-table",
  "Opsdeck health",
  "connection refused",
  "http_requests_total",
  "navi-production",
];

/** Page routes of the build, from Next's manifest (not the framework's own _ pages). */
function pageRoutes(): string[] {
  const file = path.join(".next", "app-path-routes-manifest.json");
  if (!fs.existsSync(file)) return [];
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  return Object.entries(manifest)
    .filter(([file]) => file.endsWith("/page") && !file.startsWith("/_"))
    .map(([, route]) => route)
    .sort();
}

/** Ids that exist in the e2e stack, for each dynamic segment. */
type Ids = { alert: number; deployment: number; job: number; version: string };

function concrete(route: string, ids: Ids): string {
  const values: Record<string, string> = {
    "/[section]": "/errors",
    "/alerts/[id]": `/alerts/${ids.alert}`,
    // A link that is not a valid token: the page says so (a real one is e2e/ack-link.spec.ts).
    "/alerts/ack/[token]": "/alerts/ack/not-a-token",
    "/alerts/channels/[id]": "/alerts/channels/slack-critical",
    "/alerts/rules/[id]": "/alerts/rules/ghost-down",
    "/config/[section]": "/config/monitors?id=ghost-port",
    "/deployments/[id]": `/deployments/${ids.deployment}`,
    "/docs/[...path]": "/docs/config",
    "/jobs/[id]": `/jobs/${ids.job}`,
    "/runbooks/[slug]": "/runbooks/uptime-incident",
    "/uptime/[id]": "/uptime/ghost-port",
    "/status/[slug]": "/status/navi",
  };
  return values[route] ?? route;
}

/** What each page shows an admin, to prove the forged request really renders the page. */
function marker(route: string, ids: Ids): string {
  const markers: Record<string, string> = {
    "/": "Navi backend",
    "/[section]": "This page is not built yet.",
    "/alerts": "Decommissioned worker unreachable",
    "/alerts/[id]": "Decommissioned worker unreachable",
    "/alerts/ack/[token]": "Nothing was changed.",
    "/alerts/channels/[id]": "#critical",
    "/alerts/rules/[id]": "Decommissioned worker unreachable",
    // Who signed in last depends on which tests ran before; the page's own text does not.
    // (Every account's email is looked for in every response below anyway.)
    "/audit": "Each row is chained to the one before",
    "/backups": "App database (production)",
    "/config/[section]": "Edit monitor ghost-port",
    "/deployments": ids.version,
    "/deployments/[id]": ids.version,
    "/docs/[...path]": "Configuration reference",
    "/forbidden": "You do not have access to that page",
    "/jobs/[id]": "Requested by",
    "/metrics": "http_requests_total",
    "/metrics/targets": "navi-production",
    "/oncall": "E2E primary",
    "/runbooks": "Runbook: a monitor is down",
    "/runbooks/[slug]": "Runbook: a monitor is down",
    "/settings": "Opsdeck health",
    "/settings/jobs": "jobs-table",
    "/settings/preferences": "nobody else",
    "/settings/users": "users-table",
    "/uptime": "Decommissioned worker port",
    "/uptime/[id]": "Decommissioned worker port",
  };
  return markers[route]!;
}

/**
 * A router state tree saying the client already holds every layout above `route`
 * (and some other page below them), as the browser sends on client navigation.
 */
function heldLayoutsTree(route: string): string {
  const parents = route.split("/").filter(Boolean).slice(0, -1);
  let node: unknown[] = ["__PAGE__", {}];
  for (const segment of [...parents, "elsewhere"].reverse()) node = [segment, { children: node }];
  return encodeURIComponent(
    JSON.stringify(["", { children: ["(dashboard)", { children: node }] }]),
  );
}

const contexts = new Map<Caller, APIRequestContext>();
async function as(caller: Caller, baseURL: string): Promise<APIRequestContext> {
  if (!contexts.has(caller))
    contexts.set(
      caller,
      await requests.newContext({
        baseURL,
        storageState: caller === "anonymous" ? undefined : storageState(caller),
      }),
    );
  return contexts.get(caller)!;
}

const rsc = (ctx: APIRequestContext, url: string, route: string) =>
  ctx.get(url, { headers: { RSC: "1", "Next-Router-State-Tree": heldLayoutsTree(route) } });

let ids: Ids;
test.beforeAll(async ({ baseURL }) => {
  const admin = await as("admin", baseURL!);
  // The unreachable "ghost" monitor makes its rule fire soon after start.
  let alert = 0;
  await expect
    .poll(
      async () => {
        const { alerts } = (await (await admin.get("/api/alerts")).json()) as {
          alerts: { id: number; ruleId: string }[];
        };
        alert = alerts.find((a) => a.ruleId === "ghost-down")?.id ?? 0;
        return alert;
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThan(0);
  const version = `auth-e2e-${unique()}`;
  const deployed = await admin.post("/api/ingest/deployments", {
    headers: { authorization: `Bearer ${CI_TOKEN}` },
    data: {
      service: "ghost",
      environment: "production",
      version,
      status: "succeeded",
      startedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(),
      finishedAt: new Date(Date.now() - 40 * 86_400_000 + 60_000).toISOString(),
    },
  });
  expect(deployed.status()).toBe(201);
  const { id: deployment } = (await deployed.json()) as { id: number };
  // Jobs run from the first start (deploy sync, scheduled upkeep); the first one is there.
  await expect.poll(async () => (await admin.get("/api/jobs/1")).status()).toBe(200);
  ids = { alert, deployment, job: 1, version };
});

test.afterAll(async () => {
  for (const ctx of contexts.values()) await ctx.dispose();
  contexts.clear();
});

test("the role table covers every page in the build", () => {
  expect(Object.keys(ROLES).sort()).toEqual(pageRoutes());
});

/** Everything in a response that a caller below the page may not see. */
function leaks(body: string, route: string, caller: Caller, readable = ""): string[] {
  const own = caller === "anonymous" ? null : ACCOUNTS[caller].email;
  const others = Object.values(ACCOUNTS)
    .map((a) => a.email)
    .filter((e) => e !== own);
  // A signed-in caller's layout carries what every role may read (the live cache's firing
  // alerts); what a page below its role must not show is its own data and other accounts.
  const data = caller === "anonymous" ? SECRETS : [];
  // Another account named in the live state (who acknowledged a firing alert) is in the
  // layout for every role; it leaks only if the caller could not read it from /api/live.
  return [...data, ...others.filter((e) => !readable.includes(e)), marker(route, ids)].filter((s) =>
    body.includes(s),
  );
}

for (const caller of ["anonymous", "viewer", "operator"] as const) {
  const below = pageRoutes().filter(
    (r) => ROLES[r] !== "public" && RANK[caller] < RANK[ROLES[r] as RoleName],
  );
  for (const route of below) {
    test(`${route} shows ${caller} none of its data`, async ({ baseURL }) => {
      const ctx = await as(caller, baseURL!);
      const url = concrete(route, ids);
      // The forged request really renders the page segment for someone allowed to see it.
      const allowed = await (await rsc(await as("admin", baseURL!), url, route)).text();
      expect(allowed, `${url}: the forged RSC request shows an admin the page`).toContain(
        marker(route, ids),
      );

      const normal = await ctx.get(url, { maxRedirects: 0 });
      expect(normal.status(), url).toBeLessThan(500);
      const normalBody = await normal.text();
      const live = caller === "anonymous" ? "" : await (await ctx.get("/api/live")).text();
      expect(leaks(normalBody, route, caller, live), url).toEqual([]);
      if (caller === "anonymous") {
        expect(normal.status(), url).toBe(307);
        expect(normal.headers()["location"], url).toMatch(/^\/login/);
      }

      const forged = await rsc(ctx, url, route);
      expect(forged.status(), `${url}, RSC`).toBeLessThan(500);
      const forgedBody = await forged.text();
      const liveAfter = caller === "anonymous" ? "" : await (await ctx.get("/api/live")).text();
      expect(leaks(forgedBody, route, caller, live + liveAfter), `${url}, RSC`).toEqual([]);
    });
  }
}

/**
 * The page part of each page's title, as an admin sees it: the thing, then its section.
 * `{alert}`, `{job}` and `{version}` are the e2e stack's ids; `%` is a name the config or
 * the data gives (no "·" in it).
 */
const TITLES: Record<string, string> = {
  "/": "Overview · All environments",
  "/[section]": "Errors",
  "/alerts": "Alerts",
  "/alerts/[id]": "Alert #{alert} Decommissioned worker unreachable · Alerts",
  "/alerts/ack/[token]": "Acknowledge alert",
  "/alerts/channels/[id]": "Channel % · Alerts",
  "/alerts/rules/[id]": "Rule Decommissioned worker unreachable · Alerts",
  "/audit": "Audit",
  "/backups": "Backups",
  "/config/[section]": "Edit config",
  "/deployments": "Deployments · All environments",
  "/deployments/[id]": "Deployment {version} · %",
  "/docs/[...path]": "Configuration reference · Docs",
  "/forbidden": "Not allowed",
  "/jobs/[id]": "Job #{job} % · Jobs",
  "/metrics": "Metrics",
  "/metrics/targets": "Scrape targets · Metrics",
  "/oncall": "On-call",
  "/runbooks": "Runbooks",
  "/runbooks/[slug]": "Runbook: a monitor is down · Runbooks",
  "/settings": "Settings",
  "/settings/jobs": "Jobs · Settings",
  "/settings/preferences": "Your preferences · Settings",
  "/settings/users": "Users · Settings",
  "/uptime": "Uptime",
  "/uptime/[id]": "Decommissioned worker port · Uptime",
};

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function titlePattern(route: string, ids: Ids, instance: string): RegExp {
  const page = TITLES[route]!.replace("{alert}", String(ids.alert))
    .replace("{job}", String(ids.job))
    .replace("{version}", ids.version);
  return new RegExp(`^${page.split("%").map(escapeRe).join("[^·]+")} · ${escapeRe(instance)}$`);
}

const titleOf = (html: string) =>
  /<title>([^<]*)<\/title>/
    .exec(html)?.[1]
    ?.replace(/&amp;/g, "&")
    .replace(/&#x27;|&#39;/g, "'");

test("every page's title names the page and the instance, and the environment where the switcher applies", async ({
  baseURL,
}) => {
  // One page load per page.
  test.setTimeout(120_000);
  const admin = await as("admin", baseURL!);
  const instance = "Navi operations (e2e)";
  // The sign-in and public status pages are titled on their own (e2e/status-page.spec.ts).
  expect(Object.keys(TITLES).sort()).toEqual(
    pageRoutes().filter((r) => r !== "/login" && r !== "/status/[slug]"),
  );
  for (const route of Object.keys(TITLES)) {
    const url = concrete(route, ids);
    const html = await (await admin.get(url)).text();
    expect(titleOf(html), url).toMatch(titlePattern(route, ids, instance));
  }
  // With Production chosen in the switcher (a cookie the browser keeps).
  type State = Exclude<
    NonNullable<Parameters<typeof requests.newContext>[0]>["storageState"],
    string | undefined
  >;
  const state = JSON.parse(fs.readFileSync(storageState("admin"), "utf8")) as State;
  const production = await requests.newContext({
    baseURL,
    storageState: {
      ...state,
      cookies: [
        ...state.cookies,
        { ...state.cookies[0]!, name: "opsdeck-env", value: "production" },
      ],
    },
  });
  const titled = async (url: string) => titleOf(await (await production.get(url)).text());
  expect(await titled("/deployments")).toBe(`Deployments · Production · ${instance}`);
  expect(await titled("/")).toBe(`Overview · Production · ${instance}`);
  // Alerts shows every environment, whatever the switcher says, and its title says none.
  expect(await titled("/alerts")).toBe(`Alerts · ${instance}`);
  await production.dispose();

  const anonymous = await as("anonymous", baseURL!);
  expect(titleOf(await (await anonymous.get("/login")).text())).toBe(`Sign in · ${instance}`);
});

test("the favicon, app icons, web manifest and robots.txt are served to anyone", async ({
  baseURL,
}) => {
  const anonymous = await as("anonymous", baseURL!);
  const robots = await anonymous.get("/robots.txt");
  expect(robots.status()).toBe(200);
  expect(await robots.text()).toMatch(/User-agent: \*\s+Disallow: \/\s*$/);

  const html = await (await anonymous.get("/login")).text();
  const links = [
    ...html.matchAll(/<link rel="(icon|apple-touch-icon|manifest)"[^>]*href="([^"]+)"/g),
  ];
  const hrefs = links.map((l) => [l[1], l[2]]);
  expect(hrefs).toEqual(
    expect.arrayContaining([
      ["icon", expect.stringMatching(/^\/favicon\.ico/)],
      ["icon", expect.stringMatching(/^\/favicon\.svg/)],
      ["apple-touch-icon", expect.stringMatching(/^\/apple-touch-icon\.png/)],
      ["manifest", expect.stringMatching(/^\/manifest\.webmanifest/)],
    ]),
  );
  const types: Record<string, RegExp> = {
    ".ico": /image\/(x-icon|vnd\.microsoft\.icon)/,
    ".svg": /image\/svg\+xml/,
    ".png": /image\/png/,
    ".webmanifest": /application\/manifest\+json/,
  };
  const manifest = (await (await anonymous.get("/manifest.webmanifest")).json()) as {
    icons: { src: string; sizes: string }[];
  };
  expect(manifest.icons.map((i) => i.sizes)).toEqual(
    expect.arrayContaining(["192x192", "512x512"]),
  );
  for (const href of [...hrefs.map(([, h]) => h!), ...manifest.icons.map((i) => i.src)]) {
    const res = await anonymous.get(href);
    expect(res.status(), href).toBe(200);
    const ext = /\.[a-z]+(?=$|\?)/.exec(href)![0];
    expect(res.headers()["content-type"], href).toMatch(types[ext]!);
  }
});
