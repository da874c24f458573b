// npm run metrics:import -- <file> [--data-dir DIR]
// Imports OpenMetrics text with timestamps (the format `promtool tsdb create-blocks-from
// openmetrics` reads) into the metrics store, $OPSDECK_DATA_DIR/metrics.db. Refuses
// while a running Opsdeck holds the metrics lease: stop it first.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { env } from "../env";
import { openMetricsDb } from "../server/tsdb/db";
import { importOpenMetrics } from "../server/tsdb/import";
import { METRICS_LEASE } from "../server/tsdb/lease";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "data-dir": { type: "string" }, help: { type: "boolean" } },
});
if (values.help || positionals.length !== 1) {
  console.log("usage: npm run metrics:import -- <file.om> [--data-dir DIR]");
  process.exit(values.help ? 0 : 2);
}
const dataDir = path.resolve(values["data-dir"] ?? env.OPSDECK_DATA_DIR);
const appDb = path.join(dataDir, "opsdeck.db");
if (fs.existsSync(appDb)) {
  const db = new Database(appDb, { readonly: true, fileMustExist: true });
  const lease = db
    .prepare("SELECT holder FROM leases WHERE name = ? AND expires_at > ?")
    .get(METRICS_LEASE, Date.now()) as { holder: string } | undefined;
  db.close();
  if (lease) {
    console.error(
      `Opsdeck is running on ${dataDir} (${lease.holder} holds the metrics lease); stop it first.`,
    );
    process.exit(1);
  }
}
const file = positionals[0]!;
const text = fs.readFileSync(file, "utf8");
const started = performance.now();
try {
  const r = importOpenMetrics(openMetricsDb(dataDir), text);
  console.log(
    `Imported ${r.samples} samples of ${r.series} series (${r.families} families) from ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s` +
      (r.refused ? `; ${r.refused} refused (not after their series' last sample)` : ""),
  );
} catch (err) {
  console.error(
    `Import failed (a file that does not parse imports nothing): ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
}
