import "server-only";
import { z } from "zod";
import { writeCheckpoint } from "@/server/audit/checkpoint";
import { verifyAuditChain, type VerifyOptions } from "@/server/audit/verify";
import { logger } from "@/server/logger";
import { defineJobKind, type JobContext } from "../registry";

/**
 * Verifies the chain (every row, or those after the newest checkpoint) and then signs a
 * checkpoint of the head it verified. The head also goes to the process log, so a log
 * store outside this machine keeps an anchor of its own.
 */
export function runAuditVerify(
  ctx: JobContext<unknown>,
  from: NonNullable<VerifyOptions["from"]>,
  progress: [number, number] = [0, 100],
) {
  const [lo, hi] = progress;
  const report = verifyAuditChain(ctx.db, {
    from,
    onProgress: (done, total) =>
      ctx.progress(
        lo + ((hi - lo) * done) / Math.max(total, 1),
        `${done.toLocaleString("en")} of ${total.toLocaleString("en")} audit rows`,
      ),
  });
  for (const warning of report.warnings) ctx.log("warn", warning);
  if (!report.ok) {
    throw new Error(
      `Audit chain broken${report.brokenAt === null ? "" : ` at row ${report.brokenAt}`}: ${report.reason}`,
    );
  }
  const checkpoint = writeCheckpoint(ctx.db, "verified", {
    rowId: report.headId,
    rowHash: report.lastHash,
  });
  ctx.log(
    "info",
    `Audit chain intact: ${report.rows.toLocaleString("en")} rows checked${
      from === "checkpoint" && report.checkpoint
        ? ` since the checkpoint of row ${report.checkpoint.rowId}`
        : ""
    }, ${report.totalRows.toLocaleString("en")} stored; head row ${report.headId} (${report.lastHash.slice(0, 16)}…) checkpointed.`,
  );
  logger.info(
    {
      context: {
        auditRows: report.totalRows,
        auditHeadId: report.headId,
        auditHead: report.lastHash,
      },
    },
    "audit chain verified",
  );
  return { ...report, checkpoint };
}

export const auditVerifyJob = defineJobKind({
  kind: "audit.verify",
  title: "Verify the audit log",
  params: z.object({}).strict(),
  async run(ctx) {
    const report = runAuditVerify(ctx, "start");
    return { rows: report.rows, headId: report.headId, head: report.lastHash };
  },
});
