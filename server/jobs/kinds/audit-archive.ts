import "server-only";
import path from "node:path";
import { eq } from "drizzle-orm";
import { auditArchiveParams } from "@/lib/schemas/jobs";
import { exportArchive, pruneArchived, rowsToArchive } from "@/server/audit/archive";
import { databaseDir, insertCheckpoint, saveCheckpointFile } from "@/server/audit/checkpoint";
import { writeAudit } from "@/server/audit/write";
import { getConfig } from "@/server/config";
import type { Db } from "@/server/db";
import { jobs } from "@/server/db/schema";
import { defineJobKind } from "../registry";

const DAY_MS = 86_400_000;

/** Where archives go: the config's folder, or `audit-archive` beside the database (in the data directory). */
export function archiveFolder(db: Db): string {
  const folder = getConfig().config.housekeeping.auditArchive.folder;
  return path.resolve(folder ?? path.join(databaseDir(db), "audit-archive"));
}

/**
 * Exports audit rows older than N days (or up to a row) to a verified NDJSON archive
 * with a signed checkpoint of its last row, records that checkpoint and an audit row,
 * and only then prunes the exported rows. Verification of what stays starts from the
 * checkpoint; the archive verifies offline (`npm run audit:verify -- --archive FILE`).
 */
export const auditArchiveJob = defineJobKind({
  kind: "audit.archive",
  title: "Archive the audit log",
  params: auditArchiveParams,
  async run(ctx) {
    const settings = getConfig().config.housekeeping.auditArchive;
    const folder = archiveFolder(ctx.db);

    // Rows an earlier run exported but had not finished pruning.
    const leftovers = await pruneArchived(ctx.db, { signal: ctx.signal });
    if (leftovers > 0) ctx.log("info", `Pruned ${leftovers} rows archived by an earlier run.`);

    const days =
      ctx.params.olderThanDays ?? (ctx.params.upToId ? undefined : settings.olderThanDays);
    const range = rowsToArchive(ctx.db, {
      olderThan: days === undefined ? undefined : new Date(Date.now() - days * DAY_MS),
      upToId: ctx.params.upToId,
    });
    const what = [
      days === undefined ? null : `older than ${days} days`,
      ctx.params.upToId ? `up to row ${ctx.params.upToId}` : null,
    ]
      .filter(Boolean)
      .join(" and ");
    if (!range) {
      ctx.log("info", `No audit rows ${what}: nothing to archive.`);
      return { archived: 0 };
    }
    ctx.log("info", `Archiving rows ${range.firstId}–${range.lastId} (${what}) to ${folder}.`);

    const exported = await exportArchive(ctx.db, {
      folder,
      ...range,
      signal: ctx.signal,
      onProgress: (done, total) =>
        ctx.progress(
          (70 * done) / total,
          `${done.toLocaleString("en")} of ${total.toLocaleString("en")} rows exported`,
        ),
    });
    ctx.log(
      "info",
      `Wrote and verified ${path.basename(exported.file)}: ${exported.rows} rows, ${exported.bytes} bytes, sha256 ${exported.sha256}.`,
    );

    const job = ctx.db
      .select({ by: jobs.requestedBy, name: jobs.requestedByName })
      .from(jobs)
      .where(eq(jobs.id, ctx.jobId))
      .get();
    ctx.db.transaction(
      (tx) => {
        insertCheckpoint(tx, exported.checkpoint);
        writeAudit(
          tx,
          { id: job?.by ?? null, name: job?.name ?? "system", role: null },
          { ip: null, userAgent: null, requestId: `job-${ctx.jobId}` },
          {
            action: "audit.archive",
            targetType: "audit_archive",
            targetId: path.basename(exported.file),
            details: {
              firstId: exported.firstId,
              lastId: exported.lastId,
              rows: exported.rows,
              folder,
              bytes: exported.bytes,
              sha256: exported.sha256,
            },
          },
        );
      },
      { behavior: "immediate" },
    );
    saveCheckpointFile(ctx.db, exported.checkpoint);

    const pruned = await pruneArchived(ctx.db, {
      signal: ctx.signal,
      onProgress: (n) =>
        ctx.progress(70 + (30 * n) / exported.rows, `${n.toLocaleString("en")} rows pruned`),
    });
    ctx.log(
      "info",
      `Pruned ${pruned} archived rows; the log now starts at row ${exported.lastId + 1}.`,
    );
    return {
      archived: exported.rows,
      firstId: exported.firstId,
      lastId: exported.lastId,
      file: exported.file,
      sha256: exported.sha256,
      pruned,
    };
  },
});
