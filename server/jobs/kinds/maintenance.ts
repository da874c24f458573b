import "server-only";
import { and, inArray, lt } from "drizzle-orm";
import { z } from "zod";
import { pruneThrottle } from "@/server/auth/throttle";
import { jobs } from "@/server/db/schema";
import { defineJobKind } from "../registry";
import { runAuditVerify } from "./audit-verify";

const FINISHED_JOB_RETENTION_DAYS = 90;
const DELETE_BATCH = 500;

/** Daily upkeep of Opsdeck's own database; the audit chain is verified from its newest checkpoint on, then checkpointed again. */
export const maintenanceJob = defineJobKind({
  kind: "db.maintenance",
  title: "Database maintenance",
  params: z.object({}).strict(),
  async run(ctx) {
    const audit = runAuditVerify(ctx, "checkpoint", [0, 60]);

    const throttlePruned = pruneThrottle(ctx.db);
    ctx.log("info", `Forgot ${throttlePruned} idle sign-in throttle entries.`);

    // Small batches, so other writers wait at most one batch.
    const cutoff = new Date(Date.now() - FINISHED_JOB_RETENTION_DAYS * 86_400_000);
    let jobsPruned = 0;
    for (;;) {
      if (ctx.signal.aborted) throw new Error("aborted");
      const ids = ctx.db
        .select({ id: jobs.id })
        .from(jobs)
        .where(
          and(
            inArray(jobs.status, ["succeeded", "failed", "canceled"]),
            lt(jobs.finishedAt, cutoff),
          ),
        )
        .limit(DELETE_BATCH)
        .all()
        .map((r) => r.id);
      if (ids.length === 0) break;
      jobsPruned += ctx.db.delete(jobs).where(inArray(jobs.id, ids)).run().changes;
      await new Promise((r) => setImmediate(r));
    }
    ctx.log(
      "info",
      `Removed ${jobsPruned} jobs finished more than ${FINISHED_JOB_RETENTION_DAYS} days ago.`,
    );
    // Delivered (or given up) notifications are kept 90 days for the channel pages;
    // alert episodes themselves are history and stay.
    const sentCutoff = Date.now() - FINISHED_JOB_RETENTION_DAYS * 86_400_000;
    const notificationsPruned = ctx.db.$client
      .prepare(
        "delete from notifications where status != 'pending' and created_at < ? and id in (select id from notifications where status != 'pending' and created_at < ? limit 5000)",
      )
      .run(sentCutoff, sentCutoff).changes;
    ctx.log("info", `Removed ${notificationsPruned} notifications older than 90 days.`);
    ctx.progress(75, "optimizing");

    const sqlite = ctx.db.$client;
    sqlite.pragma("optimize");
    // PASSIVE: TRUNCATE (and FULL, RESTART) wait for writers and then hold them off, and
    // the engine thread's recorder writes every second; a passive checkpoint never makes
    // it wait. A WAL written back in full is reused from its start by the next writer.
    const [checkpoint] = sqlite.pragma("wal_checkpoint(PASSIVE)") as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    ctx.log(
      "info",
      `WAL checkpoint: ${checkpoint?.checkpointed ?? 0} of ${checkpoint?.log ?? 0} pages written back${(checkpoint?.checkpointed ?? 0) < (checkpoint?.log ?? 0) ? " (the rest is still read; SQLite's own checkpoints finish it)" : ""}.`,
    );
    ctx.progress(90, "quick check");

    const quick = (sqlite.pragma("quick_check") as { quick_check: string }[]).map(
      (r) => r.quick_check,
    );
    if (quick.length !== 1 || quick[0] !== "ok") {
      throw new Error(`quick_check reported problems: ${quick.slice(0, 5).join("; ")}`);
    }
    ctx.log("info", "quick_check: ok");
    return {
      auditRowsChecked: audit.rows,
      auditHeadId: audit.headId,
      throttlePruned,
      jobsPruned,
      walPagesCheckpointed: checkpoint?.checkpointed ?? 0,
      quickCheck: "ok",
    };
  },
});
