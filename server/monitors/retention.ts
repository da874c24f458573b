import "server-only";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { checkResults, monitorRollups } from "@/server/db/schema";

const BATCH = 5_000;

/** Yields to the event loop between batches, so probes and pages keep their turn. */
const breathe = () => new Promise((r) => setImmediate(r));

async function deleteInBatches(run: () => number, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    if (signal?.aborted) throw new Error("aborted");
    const deleted = run();
    total += deleted;
    if (deleted < BATCH) return total;
    await breathe();
  }
}

/**
 * Deletes raw checks and minute/hour rollups past their retention, 5,000 rows per
 * transaction, so the writer is never held for long. Day rollups are kept forever.
 */
export async function deleteExpired(
  db: Db,
  retention: OpsdeckConfig["uptime"]["retention"],
  now: number,
  signal?: AbortSignal,
): Promise<{ raw: number; minute: number; hour: number }> {
  const raw = await deleteInBatches(() => {
    const ids = db
      .select({ id: checkResults.id })
      .from(checkResults)
      .where(lt(checkResults.at, new Date(now - retention.raw)))
      .limit(BATCH)
      .all()
      .map((r) => r.id);
    return ids.length === 0
      ? 0
      : db.delete(checkResults).where(inArray(checkResults.id, ids)).run().changes;
  }, signal);
  const rollups = (resolution: "minute" | "hour", keepMs: number) =>
    deleteInBatches(
      () =>
        db
          .delete(monitorRollups)
          .where(
            sql`(${monitorRollups.monitorId}, ${monitorRollups.resolution}, ${monitorRollups.bucket}) in (select monitor_id, resolution, bucket from ${monitorRollups} where ${and(eq(monitorRollups.resolution, resolution), lt(monitorRollups.bucket, now - keepMs))} limit ${BATCH})`,
          )
          .run().changes,
      signal,
    );
  return {
    raw,
    minute: await rollups("minute", retention.minute),
    hour: await rollups("hour", retention.hour),
  };
}
