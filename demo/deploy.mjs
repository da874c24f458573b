// @ts-check
// node demo/deploy.mjs <service url> [version]: makes the demo service serve another
// version, as a deploy or rollback would. Opsdeck's demo config runs it as the
// "command" deploy provider, which passes the version in OPSDECK_TARGET_VERSION.
const [url, given] = process.argv.slice(2);
const version = given ?? process.env.OPSDECK_TARGET_VERSION;
if (!url || !version) {
  console.error("usage: node demo/deploy.mjs <service url> <version>  (or OPSDECK_TARGET_VERSION)");
  process.exit(2);
}
console.log(`deploying ${version} to ${url}`);
const res = await fetch(new URL("/deploy", url), {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ version }),
  signal: AbortSignal.timeout(10_000),
});
const body = await res.text();
if (!res.ok) {
  console.error(`deploy failed: HTTP ${res.status} ${body}`);
  process.exit(1);
}
const { previous } = JSON.parse(body);
console.log(`now serving ${version} (was ${previous})`);
