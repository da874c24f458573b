import "server-only";
import type { ProbeResult } from "./types";

type Measurements = Omit<ProbeResult, "status" | "error">;

/** A check that got its answer: up, or degraded when any warning applies. */
export function answered(measurements: Measurements, warnings: (string | null)[]): ProbeResult {
  const applying = warnings.filter((warning) => warning !== null);
  return {
    ...measurements,
    status: applying.length > 0 ? "degraded" : "up",
    error: applying.length > 0 ? applying.join("; ") : null,
  };
}

export function down(error: string, measurements: Partial<Measurements> = {}): ProbeResult {
  return {
    status: "down",
    responseMs: null,
    statusCode: null,
    tlsDaysLeft: null,
    ...measurements,
    error,
  };
}

export function slowWarning(responseMs: number, maxMs: number | undefined): string | null {
  if (maxMs === undefined || responseMs <= maxMs) return null;
  return `response took ${formatElapsed(responseMs)}, over ${formatElapsed(maxMs)}`;
}

export function elapsedSince(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

/** 300 → "300 ms", 1520 → "1.52 s", 10000 → "10 s". */
export function formatElapsed(ms: number): string {
  const rounded = Math.round(ms);
  return rounded < 1000 ? `${rounded} ms` : `${Number((rounded / 1000).toFixed(2))} s`;
}
