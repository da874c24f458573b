import fs from "node:fs";
import { defineConfig } from "@playwright/test";
import {
  BASE_URL,
  NOTIFY_PORT,
  OIDC_PORT,
  RAILWAY_PORT,
  SENTRY_PORT,
  SMTP_PORT,
} from "./e2e/stack";

// Debian's Chromium when the machine has it; otherwise a browser Playwright installed.
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
const CI = !!process.env.CI;

const demo = (name: string, port: number) => ({
  command: `node demo/server.mjs --name ${name} --port ${port} --traffic 2 --data-dir ${fs.mkdtempSync("/tmp/opsdeck-e2e-navi-")}`,
  url: `http://127.0.0.1:${port}/health`,
  reuseExistingServer: false,
  timeout: 30_000,
  stdout: "ignore" as const,
});

export default defineConfig({
  testDir: "e2e",
  testMatch: /.*\.(spec|setup)\.ts$/,
  outputDir: "test-results",
  forbidOnly: CI,
  // A rerun would hide a flaky test; a failure keeps its trace instead.
  retries: 0,
  workers: 2,
  // Deadlines that catch a hang, not a slow machine: the tests run on shared cores, where
  // a page that takes 200 ms alone can take several seconds.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "chromium", testMatch: /.*\.spec\.ts$/, dependencies: ["setup"] },
  ],
  webServer: [
    demo("production", 4601),
    demo("staging", 4602),
    demo("pager", 4603),
    demo("figures", 4604),
    demo("release", 4605),
    {
      command: `node e2e/fixtures/notify-receivers.mjs --port ${NOTIFY_PORT} --smtp-port ${SMTP_PORT}`,
      url: `http://127.0.0.1:${NOTIFY_PORT}/__messages`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node e2e/fixtures/oidc-provider.mjs --port ${OIDC_PORT}`,
      url: `http://127.0.0.1:${OIDC_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node e2e/fixtures/railway.mjs --port ${RAILWAY_PORT}`,
      url: `http://127.0.0.1:${RAILWAY_PORT}/__deployments`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node e2e/fixtures/sentry-receiver.mjs --port ${SENTRY_PORT}`,
      url: `http://127.0.0.1:${SENTRY_PORT}/__received`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: "node e2e/start-opsdeck.mjs",
      url: `${BASE_URL}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    },
  ],
});
