import "server-only";
import { and, asc, eq, gt, inArray, isNotNull } from "drizzle-orm";
import type { MonitorConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { checkResults, monitorState } from "@/server/db/schema";

/**
 * "healthy" only when checks ran and passed; "unverified" when there was nothing to
 * check (no probed monitor, or every one paused): deployed, but nobody looked.
 */
export type HealthVerdict =
  | { healthy: true; verified: true; monitors: number }
  | { healthy: false; verified: true; reason: string }
  | { healthy: false; verified: false; paused: string[] };

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
 * Waits until every active probed monitor of the service in the environment has passed
 * `checks` checks in a row after `since`, or the deadline passes. Heartbeat monitors
 * are skipped (they report on jobs, not on the deployment), and so are paused ones, in
 * the config or from the UI; with none left the verdict is "unverified", never healthy.
 * An abort (cancel, shutdown) stops the wait with the signal's reason.
 */
export async function waitForHealthy(
  db: Db,
  monitors: MonitorConfig[],
  since: Date,
  checks: number,
  deadline: number,
  opts: {
    signal: AbortSignal;
    /** Called once with the names of the monitors it will wait for (none: not called). */
    onStart?: (names: string[]) => void;
    onProgress?: (text: string) => void;
    pollMs?: number;
  },
): Promise<HealthVerdict> {
  const probes = monitors.filter((m) => m.type !== "heartbeat");
  const pausedHere = new Set(
    probes.length === 0
      ? []
      : db
          .select({ id: monitorState.monitorId })
          .from(monitorState)
          .where(
            and(
              inArray(
                monitorState.monitorId,
                probes.map((m) => m.id),
              ),
              isNotNull(monitorState.pausedBy),
            ),
          )
          .all()
          .map((r) => r.id),
  );
  const probed = probes.filter((m) => !m.paused && !pausedHere.has(m.id));
  if (probed.length === 0)
    return { healthy: false, verified: false, paused: probes.map((m) => m.name ?? m.id) };
  opts.onStart?.(probed.map((m) => m.name ?? m.id));
  for (;;) {
    opts.signal.throwIfAborted();
    const state = probed.map((m) => ({ m, ...trailingPasses(db, m.id, since) }));
    const waiting = state.filter((s) => s.passes < checks);
    if (waiting.length === 0) return { healthy: true, verified: true, monitors: probed.length };
    opts.onProgress?.(
      state.map((s) => `${s.m.name ?? s.m.id}: ${Math.min(s.passes, checks)}/${checks}`).join(", "),
    );
    if (Date.now() >= deadline) {
      const worst = waiting[0]!;
      return {
        healthy: false,
        verified: true,
        reason: `${worst.m.name ?? worst.m.id} passed ${worst.passes} of ${checks} checks in a row${worst.lastError ? ` (last error: ${worst.lastError})` : ""}`,
      };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1_000));
  }
}
