// @ts-check
// node demo/deploy.mjs <service url> [version] [--report <opsdeck url>] [--service <id>] [--environment <id>]
//
// Makes the demo service serve another version, as a deploy or rollback would. Opsdeck's
// demo config runs it as the "command" deploy provider, which passes the version in
// OPSDECK_TARGET_VERSION (Opsdeck records its own rollbacks).
//
// With --report, it then tells Opsdeck about the deploy as CI would
// (POST /api/ingest/deployments, bearer CI_INGEST_TOKEN, the demo's token by default):
// that is how to ship the demo's bad release, 1.4.3, so a rollback has something to undo.
import { parseArgs } from "node:util";

const DEMO_INGEST_TOKEN = "demo-ci-ingest-token-0123456789abcdef";

const usage =
  "usage: node demo/deploy.mjs <service url> <version> [--report <opsdeck url>] [--service <id>] [--environment <id>]  (version also from OPSDECK_TARGET_VERSION)";

/** @param {string} message */
function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      report: { type: "string" },
      // Opsdeck's ids; the environment defaults to the instance's own name.
      service: { type: "string", default: "backend" },
      environment: { type: "string" },
    },
  });
} catch (error) {
  fail(`${error instanceof Error ? error.message : error}\n${usage}`, 2);
}
const { values, positionals } = /** @type {NonNullable<typeof parsed>} */ (parsed);
const [url, given] = positionals;
const version = given ?? process.env.OPSDECK_TARGET_VERSION;
if (!url || !version) fail(usage, 2);

console.log(`deploying ${version} to ${url}`);
const startedAt = new Date();
const res = await fetch(new URL("/deploy", url), {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ version }),
  signal: AbortSignal.timeout(10_000),
});
const body = await res.text();
if (!res.ok) fail(`deploy failed: HTTP ${res.status} ${body}`);
const reply = JSON.parse(body);
const environment = values.environment ?? reply.environment;
const { previous } = reply;
console.log(`now serving ${version} (was ${previous})`);

if (values.report) {
  const report = await fetch(new URL("/api/ingest/deployments", values.report), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${process.env.CI_INGEST_TOKEN ?? DEMO_INGEST_TOKEN}`,
    },
    body: JSON.stringify({
      service: values.service,
      environment,
      version,
      status: "succeeded",
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      author: "demo/deploy.mjs",
      message: `Release ${version}`,
      externalId: `demo-deploy-${environment}-${version}-${startedAt.getTime()}`,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!report.ok) fail(`Opsdeck did not record it: HTTP ${report.status} ${await report.text()}`);
  console.log(`recorded in Opsdeck as ${values.service} ${version} in ${environment}`);
}
