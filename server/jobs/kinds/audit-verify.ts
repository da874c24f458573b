import "server-only";
import { z } from "zod";
import { verifyAuditChain } from "@/server/audit/verify";
import { logger } from "@/server/logger";
import { defineJobKind, type JobContext } from "../registry";

/** Verifies the chain and logs its head, so an external log store keeps an anchor against truncation. */
export function runAuditVerify(ctx: JobContext<unknown>, from = 0, to = 100) {
  const report = verifyAuditChain(ctx.db, (done, total) =>
    ctx.progress(
      from + ((to - from) * done) / Math.max(total, 1),
      `${done.toLocaleString("en")} of ${total.toLocaleString("en")} audit rows`,
    ),
  );
  if (!report.ok) {
    throw new Error(`Audit chain broken at row ${report.brokenAt}: ${report.reason}`);
  }
  ctx.log("info", `Audit chain intact: ${report.rows} rows, head ${report.lastHash.slice(0, 16)}…`);
  logger.info(
    { context: { auditRows: report.rows, auditHead: report.lastHash } },
    "audit chain verified",
  );
  return report;
}

export const auditVerifyJob = defineJobKind({
  kind: "audit.verify",
  title: "Verify the audit log",
  params: z.object({}).strict(),
  async run(ctx) {
    const report = runAuditVerify(ctx);
    return { rows: report.rows, head: report.ok ? report.lastHash : null };
  },
});
