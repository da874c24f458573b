// npm run bench:alerts [-- --monitors 1000] — what alerting costs: one evaluation of every
// rule, one dispatch pass (routing, silences, inhibition, grouping), an incident storm's
// first notification, and a rule preview over a day of history. Builds a temp database
// with a day of minute rollups and 30 days of hour rollups per monitor. Prints figures;
// asserts nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { evaluateCondition } from "../server/alerts/conditions/registry";
import { dispatch } from "../server/alerts/dispatch";
import { evaluateRules } from "../server/alerts/evaluate";
import { previewRule } from "../server/alerts/preview";
import { parseConfigText } from "../server/config/load";
import { openDatabase } from "../server/db";

const { values } = parseArgs({
  options: {
    monitors: { type: "string", default: "1000" },
    passes: { type: "string", default: "20" },
  },
});
const M = Number(values.monitors);
const PASSES = Number(values.passes);
const SERVICES = 20;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-alerts-"));
const db = openDatabase(dir);
const now = Date.parse("2026-11-27T12:00:30Z");
const minute = now - (now % 60_000);
const hour = now - (now % 3_600_000);

const service = (i: number) => `svc-${String(i % SERVICES).padStart(2, "0")}`;
const monitorIds = Array.from({ length: M }, (_, i) => `m-${String(i).padStart(4, "0")}`);

function configText(rulesPerType: number): string {
  const services = Array.from(
    { length: SERVICES },
    (_, i) =>
      `  - { id: ${service(i)}, name: S${i}, environments: { production: { url: "http://127.0.0.1:9" } } }`,
  ).join("\n");
  const monitors = monitorIds
    .map(
      (id, i) =>
        `  - { id: ${id}, service: ${service(i)}, environment: production, type: http, url: "http://127.0.0.1:9/${i}" }`,
    )
    .join("\n");
  const rules: string[] = [];
  for (let r = 0; r < rulesPerType; r++) {
    // With one rule per type, each watches every monitor; with more, each watches one service.
    const sel = rulesPerType === 1 ? "" : `services: [${service(r)}], `;
    rules.push(
      `  - { id: down-${r}, severity: critical, condition: { type: monitor, ${sel}status: [down, degraded] } }`,
      `  - { id: slow-${r}, severity: warning, for: 5m, condition: { type: latency, ${sel}threshold: 1s, window: 5m } }`,
      `  - { id: slo-${r}, severity: warning, condition: { type: uptime, ${sel}window: 30d, target: 99.9 } }`,
      `  - { id: tls-${r}, severity: warning, condition: { type: tls, ${sel}days: 14 } }`,
      `  - { id: deploy-${r}, severity: info, condition: { type: deployment, events: [failed] } }`,
      `  - { id: job-${r}, severity: warning, condition: { type: job } }`,
    );
  }
  return `
environments: [{ id: production, name: Production }]
services:
${services}
monitors:
${monitors}
alerts:
  rules:
${rules.join("\n")}
  channels:
    - { id: slack, type: slack, webhookUrl: "\${SLACK_URL}" }
  route:
    channels: [slack]
    groupWait: 0s
    routes:
      - { matchers: [severity=critical], channels: [slack] }
  inhibitRules:
    - { source: [condition=monitor], target: [condition=~"latency|uptime"], equal: [service, environment] }
`;
}

// History: a day of minute rollups and 30 days of hour rollups per monitor, state rows.
const t = performance.now();
const client = db.$client;
const rollup = client.prepare(
  `insert into monitor_rollups (monitor_id, resolution, bucket, up, degraded, down, resp_count, resp_sum, resp_min, resp_max, h8, h10, h12)
   values (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const state = client.prepare(
  `insert into monitor_state (monitor_id, status, since, tls_days_left) values (?, 'up', ?, ?)`,
);
client.transaction(() => {
  monitorIds.forEach((id, i) => {
    state.run(id, now, 30 + (i % 90));
    for (let k = 0; k < 1440; k++)
      rollup.run(id, "minute", minute - k * 60_000, 6, 0, 6, 1800, 120, 900, 3, 2, 1);
    const day = now - (now % 86_400_000);
    for (let k = 0; k < 31; k++)
      rollup.run(
        id,
        "day",
        day - k * 86_400_000,
        8640,
        k === i % 31 ? 5 : 0,
        8640,
        2_592_000,
        120,
        900,
        4320,
        2880,
        1440,
      );
    for (let k = 0; k < 720; k++)
      rollup.run(
        id,
        "hour",
        hour - k * 3_600_000,
        360,
        k % 97 === i % 97 ? 2 : 0,
        360,
        108_000,
        120,
        900,
        180,
        120,
        60,
      );
  });
})();
const seedSeconds = (performance.now() - t) / 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function timeIt(fn: (i: number) => void, n = PASSES): number {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn(i);
    ms.push(performance.now() - start);
  }
  return +median(ms).toFixed(2);
}

const results: Record<string, unknown> = { monitors: M, seedSeconds: +seedSeconds.toFixed(1) };
for (const rulesPerType of [1, 10]) {
  const config = parseConfigText(
    configText(rulesPerType),
    "bench.yaml",
    () => "http://127.0.0.1:9/slack",
  );
  client.exec(
    "delete from alert_transitions; delete from alerts; delete from alert_groups; delete from notifications; delete from incidents",
  );
  const quiet = timeIt((i) => evaluateRules(db, config, now + i * 15_000));
  const perCondition: Record<string, number> = {};
  for (const rule of config.alerts.rules.slice(0, 6))
    perCondition[rule.condition.type] = timeIt(
      () => evaluateCondition(rule.condition, { db, config, now, live: true }),
      5,
    );
  const dispatchQuiet = timeIt((i) => dispatch(db, config, now + i * 1000));
  // An incident storm: a tenth of the monitors go down at once.
  const open = client.prepare(
    "insert into incidents (monitor_id, opened_at, cause) values (?, ?, 'connect ECONNREFUSED')",
  );
  client.transaction(() => {
    monitorIds.filter((_, i) => i % 10 === 0).forEach((id) => open.run(id, now));
  })();
  const stormAt = now + PASSES * 15_000;
  let start = performance.now();
  const storm = evaluateRules(db, config, stormAt);
  const stormEvalMs = performance.now() - start;
  start = performance.now();
  const flush = dispatch(db, config, stormAt);
  const stormDispatchMs = performance.now() - start;
  const steadyEval = timeIt((i) => evaluateRules(db, config, stormAt + (i + 1) * 15_000));
  const steadyDispatch = timeIt((i) => dispatch(db, config, stormAt + (i + 1) * 1000));
  results[`rules=${config.alerts.rules.length}`] = {
    evaluateMs: quiet,
    perConditionMs: rulesPerType === 1 ? perCondition : undefined,
    dispatchMs: dispatchQuiet,
    cpuShareAt15s: `${((quiet / 15_000 + (dispatchQuiet * 2) / 1000) * 100).toFixed(2)}%`,
    storm: {
      firing: storm.active,
      transitions: storm.transitions,
      evaluateMs: +stormEvalMs.toFixed(1),
      firstDispatchMs: +stormDispatchMs.toFixed(1),
      notifications: flush.notifications,
      steadyEvaluateMs: steadyEval,
      steadyDispatchMs: steadyDispatch,
    },
  };
  if (rulesPerType === 10) {
    const rule = config.alerts.rules.find((r) => r.id === "slow-0")!;
    start = performance.now();
    const p = previewRule(db, config, rule, { from: now - 86_400_000, to: now, stepMs: 60_000 });
    results.preview = {
      rule: "latency, one service (50 monitors), 24 h at 1 min steps",
      evaluations: p.evaluations,
      ms: +(performance.now() - start).toFixed(0),
    };
  }
}
console.log(JSON.stringify(results, null, 2));
db.$client.close();
fs.rmSync(dir, { recursive: true, force: true });
