import "server-only";
import { and, asc, eq, gt } from "drizzle-orm";
import type { MonitorConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { checkResults } from "@/server/db/schema";

export type HealthVerdict = { healthy: true } | { healthy: false; reason: string };

/** How many of a monitor's checks since `since` passed in a row at the end. */
function trailingPasses(
  db: Db,
  monitorId: string,
  since: Date,
): { passes: number; lastError: string | null } {
  const rows = db
    .select({
      status: checkResults.status,
      error: checkResults.error,
      retrying: checkResults.retrying,
    })
    .from(checkResults)
    .where(and(eq(checkResults.monitorId, monitorId), gt(checkResults.at, since)))
    .orderBy(asc(checkResults.at))
    .all();
  let passes = 0;
  let lastError: string | null = null;
  for (const r of rows) {
    if (r.status === "down") {
      passes = 0;
      lastError = r.error;
    } else passes++;
  }
  return { passes, lastError };
}

/**
 * Waits until every probed monitor of the service in the environment has passed
 * `checks` checks in a row after `since`, or the deadline passes. Heartbeat monitors
 * are skipped: they report on jobs, not on the deployment.
 */
export async function waitForHealthy(
  db: Db,
  monitors: MonitorConfig[],
  since: Date,
  checks: number,
  deadline: number,
  opts: { signal: AbortSignal; onProgress?: (text: string) => void; pollMs?: number },
): Promise<HealthVerdict> {
  const probed = monitors.filter((m) => m.type !== "heartbeat" && !m.paused);
  if (probed.length === 0) return { healthy: true };
  for (;;) {
    const state = probed.map((m) => ({ m, ...trailingPasses(db, m.id, since) }));
    const waiting = state.filter((s) => s.passes < checks);
    if (waiting.length === 0) return { healthy: true };
    opts.onProgress?.(
      state.map((s) => `${s.m.name ?? s.m.id}: ${Math.min(s.passes, checks)}/${checks}`).join(", "),
    );
    if (Date.now() >= deadline || opts.signal.aborted) {
      const worst = waiting[0]!;
      return {
        healthy: false,
        reason: `${worst.m.name ?? worst.m.id} passed ${worst.passes} of ${checks} checks in a row${worst.lastError ? ` (last error: ${worst.lastError})` : ""}`,
      };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1_000));
  }
}
