// npm run audit:verify [-- --since-checkpoint] [-- --archive FILE… [--key-file FILE]]
// Verifies the audit log in $OPSDECK_DATA_DIR against its key and newest checkpoint, or
// archive files on their own. Exit 0 intact, 2 broken or tampered, 1 cannot check (no key…).
import path from "node:path";
import { parseArgs } from "node:util";
import { env } from "../env";
import { verifyArchiveFile } from "../server/audit/archive";
import { AuditKeyError, auditKeyFromFile, loadAuditKey } from "../server/audit/key";
import { verifyAuditChain } from "../server/audit/verify";
import { DataDirError, openDatabase } from "../server/db";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      archive: { type: "string", multiple: true },
      "key-file": { type: "string" },
      "since-checkpoint": { type: "boolean", default: false },
    },
  });

  if (values.archive?.length) {
    const key = values["key-file"]
      ? auditKeyFromFile(path.resolve(values["key-file"]))
      : loadAuditKey(path.resolve(env.OPSDECK_DATA_DIR), { create: false });
    let broken = 0;
    for (const file of values.archive) {
      const report = await verifyArchiveFile(path.resolve(file), key);
      if (report.ok) {
        console.log(
          `${file}: intact, rows ${report.firstId}–${report.lastId} (${report.rows}), signed checkpoint of ${report.checkpoint.at.toISOString()}.`,
        );
      } else {
        broken++;
        console.error(`${file}: BROKEN at line ${report.line}: ${report.reason}.`);
      }
    }
    return broken ? 2 : 0;
  }

  const db = openDatabase(env.OPSDECK_DATA_DIR);
  const report = verifyAuditChain(db, {
    from: values["since-checkpoint"] ? "checkpoint" : "start",
  });
  for (const warning of report.warnings) console.warn(`Warning: ${warning}`);
  if (!report.ok) {
    console.error(
      `Audit chain BROKEN${report.brokenAt === null ? "" : ` at row ${report.brokenAt}`}: ${report.reason} (${report.rows} rows read).`,
    );
    return 2;
  }
  const cp = report.checkpoint;
  console.log(
    `Audit chain intact: ${report.rows} rows checked, ${report.totalRows} stored, head row ${report.headId} (${report.lastHash})` +
      (cp ? `; newest checkpoint: row ${cp.rowId}, ${cp.kind}, ${cp.at.toISOString()}.` : "."),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof DataDirError || err instanceof AuditKeyError) {
      console.error(err.message);
      process.exit(1);
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(
        `${err.message}\nUsage: npm run audit:verify [-- --since-checkpoint] [-- --archive FILE… [--key-file FILE]]`,
      );
      process.exit(1);
    }
    throw err;
  },
);
