// @ts-check
// Starts Opsdeck for the e2e run: a fresh data directory, one user per role, then the
// production server in this process (so Playwright's SIGTERM is a real graceful stop).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureUsers, root, serverBundle } from "../scripts/stack.mjs";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-e2e-"));
const accounts = [
  {
    email: "operator@e2e.test",
    name: "Olu Operator",
    role: "operator",
    password: "e2e-operator-password",
  },
  { email: "viewer@e2e.test", name: "Vic Viewer", role: "viewer", password: "e2e-viewer-password" },
];
ensureUsers(dataDir, accounts);

// The database the backup tests back up and restore: a small app database of its own.
const appDb = path.join(os.tmpdir(), "opsdeck-e2e-app.db");
const backupDir = path.join(dataDir, "backups");
fs.rmSync(appDb, { force: true });
fs.rmSync(`${appDb}-wal`, { force: true });
fs.rmSync(`${appDb}-shm`, { force: true });
const { default: Database } = await import("better-sqlite3");
const app = new Database(appDb);
app.pragma("journal_mode = WAL");
app.exec(
  "create table users (id integer primary key, name text); create table taps (id integer primary key, user_id integer, at integer);",
);
const addUser = app.prepare("insert into users (name) values (?)");
const addTap = app.prepare("insert into taps (user_id, at) values (?, ?)");
app.transaction(() => {
  for (let i = 1; i <= 200; i++) addUser.run(`user ${i}`);
  for (let i = 0; i < 5000; i++) addTap.run((i % 200) + 1, i);
})();
app.close();

// The config edit test writes the file: a copy of e2e/opsdeck.e2e.yaml, so the tracked
// one never changes (e2e/stack.ts E2E_CONFIG).
const configFile = path.join(root, "e2e", ".run", "opsdeck.yaml");
fs.mkdirSync(path.dirname(configFile), { recursive: true });
fs.copyFileSync(path.join(root, "e2e", "opsdeck.e2e.yaml"), configFile);

Object.assign(process.env, {
  PORT: "4600",
  HOST: "127.0.0.1",
  OPSDECK_URL: "http://127.0.0.1:4600",
  OPSDECK_CONFIG: configFile,
  OPSDECK_DATA_DIR: dataDir,
  OPSDECK_ADMIN_EMAIL: "admin@e2e.test",
  OPSDECK_ADMIN_PASSWORD: "e2e-admin-password",
  OPSDECK_ADMIN_NAME: "Ada Admin",
  OPSDECK_METRICS_TOKEN: "e2e-metrics-token-0123456789abcdef",
  E2E_OIDC_CLIENT_SECRET: "opsdeck-e2e-secret-value-0123456789",
  E2E_HEARTBEAT_TOKEN: "e2e-heartbeat-token-0123456789abcdef",
  E2E_LIVE_HEARTBEAT_TOKEN: "e2e-live-heartbeat-token-0123456789abcdef",
  E2E_ACK_HEARTBEAT_TOKEN: "e2e-ack-heartbeat-token-0123456789abcdef",
  E2E_BACKUP_SOURCE: appDb,
  E2E_RAILWAY_TOKEN: "railway-e2e-token-0123456789",
  E2E_CI_TOKEN: "e2e-ci-ingest-token-0123456789abcdef",
  E2E_METRICS_API_TOKEN: "e2e-metrics-api-token-0123456789abcdef",
  E2E_PUSH_TOKEN: "e2e-metrics-push-token-0123456789abcdef",
  E2E_BACKUP_DIR: backupDir,
  E2E_SLACK_CRITICAL: "http://127.0.0.1:4640/slack/e2e/critical",
  E2E_SLACK_WARNINGS: "http://127.0.0.1:4640/slack/e2e/warnings",
  E2E_SLACK_GONE: "http://127.0.0.1:4640/slack/e2e/gone",
  E2E_SLACK_DEPLOYS: "http://127.0.0.1:4640/slack/e2e/deploys",
  E2E_SLACK_ACK: "http://127.0.0.1:4640/slack/e2e/ack",
  E2E_SMTP_PASSWORD: "smtp-e2e-password-0123456789",
  E2E_WEBHOOK_SECRET: "webhook-e2e-secret-0123456789abcdef",
  SENTRY_DSN: "http://e2epublickey@127.0.0.1:4620/1",
  SENTRY_ENVIRONMENT: "e2e",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
});
console.log(`e2e data directory: ${dataDir}`);
await import(serverBundle);
