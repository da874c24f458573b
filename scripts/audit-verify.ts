// npm run audit:verify — recomputes the audit log's hash chain and says where it breaks, if it does.
import { env } from "../env";
import { verifyAuditChain } from "../server/audit/verify";
import { DataDirError, openDatabase } from "../server/db";

try {
  const db = openDatabase(env.OPSDECK_DATA_DIR);
  const report = verifyAuditChain(db);
  if (report.ok) {
    console.log(`Audit chain intact: ${report.rows} rows; head ${report.lastHash}`);
  } else {
    console.error(
      `Audit chain BROKEN at row ${report.brokenAt}: ${report.reason} (${report.rows} rows read).`,
    );
    process.exit(2);
  }
} catch (err) {
  if (err instanceof DataDirError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
