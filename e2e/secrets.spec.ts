import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext, type Browser } from "@playwright/test";
import { decode, encode } from "next-auth/jwt";
import { callAction, serverActions } from "./actions";
import { signIn } from "./helpers";

// The attack from issue 10 against an Opsdeck of its own: a deploy command and two
// backup commands that print every secret they can find (their environment, their
// arguments, the data directory's key file, and Opsdeck's own environment read from
// /proc/<parent>/environ), then a viewer reads everything a viewer can read.
const PORT = 4687;
const URL = `http://127.0.0.1:${PORT}`;
const SECRETS = {
  OPSDECK_SECRET: "e2e-leak-session-key-0123456789abcdef0123",
  OPSDECK_ADMIN_PASSWORD: "e2e-leak-admin-password-0123",
  OPSDECK_METRICS_TOKEN: "e2e-leak-metrics-token-0123456789abcdef",
  LEAK_ARGV_TOKEN: "e2e-leak-argv-token-0123456789abcdef",
  LEAK_CHILD_PASSWORD: "e2e-leak-child-password-0123456789",
  LEAK_BACKUP_ARG: "e2e-leak-backup-argument-0123456789",
  LEAK_CI_TOKEN: "e2e-leak-ci-ingest-token-0123456789abcdef",
};
/** In Opsdeck's environment, named nowhere: it must not reach a command's environment. */
const UNNAMED = "e2e-leak-never-named-0123456789";
const USERS = [
  {
    email: "operator@leak.test",
    name: "Olu",
    role: "operator",
    password: "leak-operator-password",
  },
  { email: "viewer@leak.test", name: "Vic", role: "viewer", password: "leak-viewer-password" },
];
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Every form of every secret a careless script prints and a viewer might then read. */
function leaksIn(text: string): string[] {
  return Object.entries(SECRETS).flatMap(([name, value]) =>
    [value, b64(value).slice(0, 24), encodeURIComponent(value)]
      .filter((form) => text.includes(form))
      .map((form) => `${name} (${form === value ? "plain" : "encoded"})`),
  );
}

let server: ChildProcess;
let output = "";
let dataDir = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-leak-"));
  const leaky = (flags: string) =>
    `[node, e2e/fixtures/leaky-command.mjs, ${flags}--parent-env, --read, "${dataDir}/session-secret"`;
  const config = path.join(dataDir, "opsdeck.yaml");
  fs.writeFileSync(
    config,
    `title: Leak test
environments: [{ id: staging, name: Staging }]
services:
  - id: leaky
    name: Leaky service
    environments:
      staging:
        url: "http://127.0.0.1:9"
        deploy:
          provider: command
          rollback: ${leaky("")}, "--token=\${LEAK_ARGV_TOKEN}"]
          env: [LEAK_CHILD_PASSWORD]
backups:
  - id: leaky-dump
    service: leaky
    environment: staging
    source: { type: command, command: ${leaky("--dump, ")}, "\${LEAK_BACKUP_ARG}"], env: [LEAK_CHILD_PASSWORD] }
    destination: { type: local, path: "${dataDir}/backups" }
  - id: leaky-failure
    service: leaky
    environment: staging
    source: { type: command, command: ${leaky("--dump, --fail, ")}, "\${LEAK_BACKUP_ARG}"] }
    destination: { type: local, path: "${dataDir}/backups" }
integrations: [{ id: ci, token: "\${LEAK_CI_TOKEN}" }]
`,
  );
  const data = path.join(dataDir, "data");
  // scripts/stack.mjs is an ES module Playwright's loader cannot import; node can.
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      'import { ensureUsers } from "./scripts/stack.mjs"; ensureUsers(process.argv[1], JSON.parse(process.argv[2]));',
      data,
      JSON.stringify(USERS),
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  server = spawn(process.execPath, [path.resolve(".next/opsdeck-server.mjs")], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: os.tmpdir(),
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      OPSDECK_URL: URL,
      OPSDECK_CONFIG: config,
      OPSDECK_DATA_DIR: data,
      OPSDECK_ADMIN_EMAIL: "admin@leak.test",
      // Every job log line is in Opsdeck's own log too.
      LOG_LEVEL: "debug",
      ...SECRETS,
      LEAK_UNNAMED: UNNAMED,
    },
  });
  server.stdout!.on("data", (d) => (output += d));
  server.stderr!.on("data", (d) => (output += d));
  await expect
    .poll(
      () =>
        fetch(`${URL}/api/health`).then(
          (r) => r.status,
          () => 0,
        ),
      { timeout: 90_000 },
    )
    .toBeGreaterThan(0);
});

test.afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await exited;
});

async function signedIn(browser: Browser, who: (typeof USERS)[number]) {
  const context = await browser.newContext({ baseURL: URL });
  const page = await context.newPage();
  await signIn(page, who.email, who.password);
  return { context, page };
}

/** Every job there is, as the viewer reads it: the API, the event stream and the page. */
async function readEveryJob(request: APIRequestContext, page: import("@playwright/test").Page) {
  const texts: string[] = [];
  for (let id = 1; ; id++) {
    const res = await request.get(`/api/jobs/${id}`);
    if (res.status() === 404) break;
    expect(res.status()).toBe(200);
    texts.push(await res.text());
    // The job has finished, so the stream sends everything and ends.
    texts.push(await (await request.get(`/api/jobs/${id}/events`)).text());
    await page.goto(`/jobs/${id}`);
    texts.push(await page.content());
  }
  return texts;
}

test("a deploy and backup commands that print every secret leave none where a viewer can read it, nor in Opsdeck's log", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const { page: viewer, context: viewerContext } = await signedIn(browser, USERS[1]!);
  const api = viewerContext.request;

  // The backups ran at start (new jobs back up once); wait for both to finish.
  await expect
    .poll(
      async () => {
        const finished = [];
        for (const id of [1, 2]) {
          const res = await api.get(`/api/jobs/${id}`);
          if (res.ok())
            finished.push(((await res.json()) as { job: { status: string } }).job.status);
        }
        return finished.filter((s) => s === "succeeded" || s === "failed").length;
      },
      { timeout: 60_000 },
    )
    .toBe(2);

  // CI reports two deploys; the operator rolls back to the older one.
  const report = async (version: string, hoursAgo: number) => {
    const res = await api.post("/api/ingest/deployments", {
      headers: { authorization: `Bearer ${SECRETS.LEAK_CI_TOKEN}` },
      data: {
        service: "leaky",
        environment: "staging",
        version,
        status: "succeeded",
        startedAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
        finishedAt: new Date(Date.now() - hoursAgo * 3_600_000 + 60_000).toISOString(),
      },
    });
    expect(res.status()).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const older = await report("1.0.0", 3);
  await report("1.1.0", 1);
  const { context: operator, page: operatorPage } = await signedIn(browser, USERS[0]!);
  const rollback = serverActions().find(
    (a) => a.file.includes("rollback-deployment") && a.name === "rollbackDeployment",
  )!;
  const call = await callAction(operator.request, rollback.id, [{ deploymentId: older }], {
    origin: URL,
  });
  expect(call.result).toMatchObject({ ok: true });
  const jobId = (call.result as unknown as { data: { jobId: number } }).data.jobId;
  await expect
    .poll(
      async () =>
        ((await (await api.get(`/api/jobs/${jobId}`)).json()) as { job: { status: string } }).job
          .status,
      {
        timeout: 60_000,
      },
    )
    .toMatch(/succeeded|failed/);

  // A viewer reads every job's status, an operator every job's log too (a viewer is
  // shown no job log at all): neither finds a secret.
  const texts = await readEveryJob(api, viewer);
  for (const pathname of ["/", "/deployments", "/backups", "/audit", "/alerts", "/uptime"]) {
    await viewer.goto(pathname);
    texts.push(await viewer.content());
  }
  expect(leaksIn(texts.join("\n"))).toEqual([]);
  expect(texts.join("\n")).not.toContain("LEAK env PATH=");
  texts.push(...(await readEveryJob(operator.request, operatorPage)));
  const everything = texts.join("\n");
  // The commands ran, printed their environment and arguments, and were redacted.
  expect(everything).toContain("LEAK env PATH=");
  expect(everything).toContain("LEAK env OPSDECK_TARGET_VERSION=1.0.0");
  expect(everything).toContain("LEAK env LEAK_CHILD_PASSWORD=[redacted]");
  expect(everything).toContain("--token=${LEAK_ARGV_TOKEN}");
  expect(everything).not.toContain("LEAK env LEAK_UNNAMED=");
  // Read from /proc, Opsdeck's own environment was printed too, with its secrets redacted.
  expect(everything).toMatch(/LEAK file \/proc\/\d+\/environ=.*OPSDECK_SECRET=\[redacted\]/);
  expect(everything).not.toMatch(/LEAK env OPSDECK_(SECRET|ADMIN_PASSWORD|METRICS_TOKEN)=/);
  expect(leaksIn(everything)).toEqual([]);
  // Opsdeck logged the job lines (LOG_LEVEL=debug), redacted as well.
  expect(output).toContain("LEAK env PATH=");
  expect(leaksIn(output)).toEqual([]);
});

test("the forged-session attack has nothing to start from: the key that signs sessions is nowhere a viewer can read", async ({
  browser,
}) => {
  const { context } = await signedIn(browser, USERS[1]!);
  const cookie = (await context.cookies()).find((c) => c.name === "next-auth.session-token")!;
  // The key the attack needs is OPSDECK_SECRET: with it a session is read and minted…
  const claims = await decode({ token: cookie.value, secret: SECRETS.OPSDECK_SECRET });
  expect(claims).toMatchObject({ email: "viewer@leak.test" });
  const minted = await encode({ token: claims!, secret: SECRETS.OPSDECK_SECRET });
  const forged = await browser.newContext({ baseURL: URL });
  await forged.addCookies([{ ...cookie, value: minted }]);
  expect((await forged.request.get("/api/jobs/1")).status()).toBe(200);
  // …and nothing the first test read as a viewer held it (asserted there); the key
  // file in the data directory was printed by the commands and redacted too.
  expect(output).toContain(`LEAK file ${dataDir}/session-secret unreadable`);
  expect(leaksIn(output)).toEqual([]);
});
