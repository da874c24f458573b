import "server-only";
import { describeError } from "./errors";
import { down, formatElapsed } from "./result";
import type { ProbeResult } from "./types";

/** What a check has learned so far; kept when it fails part-way, e.g. a timeout while reading the body. */
export type Progress = { statusCode: number | null; tlsDaysLeft: number | null };

type Check = (signal: AbortSignal, progress: Progress) => Promise<ProbeResult>;

/**
 * Runs `check` under one deadline that covers every step of it, and never rejects.
 *
 * `check` must release its sockets when `signal` aborts (on the timeout or the caller's abort);
 * the result is settled at that moment whatever `check` does, so a step that ignores the signal
 * cannot hang the scheduler.
 */
export async function withDeadline(
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  check: Check,
): Promise<ProbeResult> {
  const controller = new AbortController();
  const { signal } = controller;
  const expired = new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
  );
  const cancel = () => controller.abort(new Error("check aborted"));
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${formatElapsed(timeoutMs)}`)),
    timeoutMs,
  );
  if (callerSignal?.aborted) cancel();
  callerSignal?.addEventListener("abort", cancel, { once: true });

  const progress: Progress = { statusCode: null, tlsDaysLeft: null };
  try {
    return await Promise.race([check(signal, progress), expired]);
  } catch (error) {
    // Once aborted, whatever a torn-down socket reported is noise; the abort is the reason.
    return down(describeError(signal.aborted ? signal.reason : error), progress);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", cancel);
  }
}
