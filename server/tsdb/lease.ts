import "server-only";

/** Held by the metrics thread that scrapes and drains pushes: several processes never do it twice. */
export const METRICS_LEASE = "metrics";
