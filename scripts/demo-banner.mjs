// @ts-check
// What `npm run demo` tells the person who started it: how to sign in, how to cause each
// kind of incident, where the stand-ins' inboxes are. Printed after start-up, on Enter,
// and by `npm run demo -- --help` (without starting anything).

export const DEMO_USERS = [
  { email: "admin@demo.local", name: "Ada Admin", role: "admin", password: "demo-admin-pass" },
  {
    email: "operator@demo.local",
    name: "Olu Operator",
    role: "operator",
    password: "demo-operator-pass",
  },
  { email: "viewer@demo.local", name: "Vic Viewer", role: "viewer", password: "demo-viewer-pass" },
];

/**
 * The demo's fixed ports: the sample service's two instances, the stand-ins' inbox, and
 * Debian's node exporter (this machine's CPU, memory and disks), when it is installed.
 */
export const DEMO_PORTS = {
  production: 4101,
  staging: 4102,
  inbox: 4140,
  smtp: 4141,
  nodeExporter: 4150,
};

/** Where Debian's prometheus-node-exporter package puts it. */
export const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

/** The version the demo's production runs, and the release that ships with a bug. */
export const DEMO_VERSIONS = { production: "1.4.2", staging: "1.5.0-rc.1", bad: "1.4.3" };

/**
 * @param {{ url: string, logs: string, data: string, nodeExporter?: boolean }} where Opsdeck's
 *   URL; the log and data directories, relative to the project; whether the node exporter runs.
 * @returns {string}
 */
export function demoBanner({ url, logs, data, nodeExporter = false }) {
  const production = `http://127.0.0.1:${DEMO_PORTS.production}`;
  const staging = `http://127.0.0.1:${DEMO_PORTS.staging}`;
  const inbox = `http://127.0.0.1:${DEMO_PORTS.inbox}`;
  const lines = [
    `Opsdeck demo: ${url}`,
    "",
    "Sign in as any of:",
    ...DEMO_USERS.map((u) => `  ${u.role.padEnd(9)} ${u.email.padEnd(22)} ${u.password}`),
    "",
    `Sample service "Navi backend": production ${production} (${DEMO_VERSIONS.production}), staging ${staging}`,
    `Metrics: ${url}/metrics (PromQL), scraped every 15 s from both instances` +
      (nodeExporter ? " and this machine's node exporter" : ""),
    ...(nodeExporter
      ? []
      : [`  (apt-get install prometheus-node-exporter adds this machine's CPU, memory and disks)`]),
    "",
    "Cause an incident in production, one of two kinds:",
    "  1. The service breaks, whatever version it runs (chaos): a rollback will NOT help.",
    `       curl -X POST ${production}/chaos -H 'content-type: application/json' -d '{"mode":"down","durationSeconds":300}'`,
    `     It ends when the time runs out, or at once with: curl -X DELETE ${production}/chaos`,
    `  2. A bad release: ${DEMO_VERSIONS.bad} is slow and throws 500s. A rollback fixes it.`,
    `       node demo/deploy.mjs ${production} ${DEMO_VERSIONS.bad} --report ${url}`,
    `     Then in Opsdeck: Deployments → Production → ${DEMO_VERSIONS.production} → "Roll back to this version"`,
    `     (the runbook: ${url}/runbooks/rollback).`,
    "",
    "What the stand-ins received (alerts land here, not in the real Slack or mail):",
    `  Slack #navi-ops          ${inbox}/__messages`,
    `  Email (team, on-call)    ${inbox}/__mail   (SMTP server on 127.0.0.1:${DEMO_PORTS.smtp})`,
    `  Pager webhook            ${inbox}/__webhooks`,
    "",
    `Logs: ${logs}/ (opsdeck.log, navi-production.log, navi-staging.log)   Data: ${data}/`,
    "Press Enter to show this again; Ctrl-C stops the demo.",
  ];
  const rule = "─".repeat(64);
  return `\n  ┌${rule}\n${lines.map((l) => `  │ ${l}`.trimEnd()).join("\n")}\n  └${rule}\n`;
}

/**
 * Whether one line of Opsdeck's output goes to the terminal: everything while it starts;
 * after the banner only warnings and errors (and anything that is not a JSON log line),
 * so the banner stays in view. Every line goes to the log file either way.
 * @param {string} line
 * @param {boolean} started
 */
export function showOnTerminal(line, started) {
  if (!started) return true;
  try {
    const level = JSON.parse(line)?.level;
    return typeof level !== "string" || level === "WARN" || level === "ERROR" || level === "FATAL";
  } catch {
    return true;
  }
}
