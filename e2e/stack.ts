import os from "node:os";
import path from "node:path";
// Ports and accounts of the stack the e2e tests run against (see playwright.config.ts).
export const OPSDECK_PORT = 4600;
export const BASE_URL = `http://127.0.0.1:${OPSDECK_PORT}`;
export const DEMO_PRODUCTION = "http://127.0.0.1:4601";
export const DEMO_STAGING = "http://127.0.0.1:4602";
/** A demo instance only the alerting test breaks. */
export const DEMO_PAGER = "http://127.0.0.1:4603";
/** A demo instance only the bad-release test deploys to and rolls back. */
export const DEMO_RELEASE = "http://127.0.0.1:4605";
export const NOTIFY_PORT = 4640;
export const NOTIFY_URL = `http://127.0.0.1:${NOTIFY_PORT}`;
export const SMTP_PORT = 4641;
export const OIDC_PORT = 4610;
export const SENTRY_PORT = 4620;
export const OIDC_CLIENT_SECRET = "opsdeck-e2e-secret-value-0123456789";

export const ACCOUNTS = {
  admin: { email: "admin@e2e.test", name: "Ada Admin", password: "e2e-admin-password" },
  operator: { email: "operator@e2e.test", name: "Olu Operator", password: "e2e-operator-password" },
  viewer: { email: "viewer@e2e.test", name: "Vic Viewer", password: "e2e-viewer-password" },
} as const;
export type RoleName = keyof typeof ACCOUNTS;

export const storageState = (role: RoleName) => `e2e/.auth/${role}.json`;
export const HEARTBEAT_TOKEN = "e2e-heartbeat-token-0123456789abcdef";
/** The heartbeat only e2e/live.spec.ts pings (monitor live-beat, rule live-beat-down). */
export const LIVE_HEARTBEAT_TOKEN = "e2e-live-heartbeat-token-0123456789abcdef";
/** The heartbeat only e2e/ack-link.spec.ts pings (monitor ack-beat, rule ack-beat-down, channel #ack). */
export const ACK_HEARTBEAT_TOKEN = "e2e-ack-heartbeat-token-0123456789abcdef";
/** The app database e2e/start-opsdeck.mjs creates for the backup tests. */
export const APP_DB = path.join(os.tmpdir(), "opsdeck-e2e-app.db");
export const RAILWAY_PORT = 4630;
/** The config file the stack runs on: e2e/start-opsdeck.mjs copies e2e/opsdeck.e2e.yaml there. */
export const E2E_CONFIG = path.resolve("e2e", ".run", "opsdeck.yaml");
export const CI_TOKEN = "e2e-ci-ingest-token-0123456789abcdef";
export const METRICS_API_TOKEN = "e2e-metrics-api-token-0123456789abcdef";
export const PUSH_TOKEN = "e2e-metrics-push-token-0123456789abcdef";
