import "server-only";
import type { OpsdeckConfig } from "@/server/config/schema";
import { instanceOf } from "@/server/config/metrics-schema";
import type { SessionUser } from "@/server/auth/session";
import { hasRole } from "@/lib/roles";
import type { MetricsDb } from "@/server/tsdb/db";

export type TargetRow = {
  job: string;
  instance: string;
  url: string;
  service: string;
  environment: string;
  intervalMs: number;
  /** "unknown" until the first scrape, or when Opsdeck is not the process that scrapes. */
  health: "up" | "down" | "unknown";
  lastScrapeAt: number | null;
  durationMs: number | null;
  samples: number | null;
  lastError: string | null;
};

export type TargetFilter = {
  health?: "up" | "down" | "unknown";
  q?: string;
  service?: string;
  environment?: string;
  job?: string;
};

export const TARGETS_PAGE = 50;

/**
 * Every configured replica with its last scrape, in config order, filtered then paged.
 * The URL's path and query are shown to viewers too: credentials never sit in them (the
 * config refuses a URL with a user or password; tokens go in bearerToken/basicAuth).
 */
export function metricTargets(
  user: SessionUser,
  mdb: MetricsDb,
  config: OpsdeckConfig,
  filter: TargetFilter,
  page: number,
): { rows: TargetRow[]; total: number; counts: Record<TargetRow["health"], number> } {
  if (!hasRole(user.role, "viewer")) throw new Error("not allowed");
  const all = configuredTargets(mdb, config);
  const counts = { up: 0, down: 0, unknown: 0 };
  for (const r of all) counts[r.health]++;
  const q = filter.q?.toLowerCase();
  const matching = all.filter(
    (r) =>
      (!filter.health || r.health === filter.health) &&
      (!filter.service || r.service === filter.service) &&
      (!filter.environment || r.environment === filter.environment) &&
      (!filter.job || r.job === filter.job) &&
      (!q || `${r.job} ${r.instance} ${r.service} ${r.environment}`.toLowerCase().includes(q)),
  );
  const start = (page - 1) * TARGETS_PAGE;
  return { rows: matching.slice(start, start + TARGETS_PAGE), total: matching.length, counts };
}

/**
 * Every configured replica with the last scrape the metrics thread recorded for it
 * (metrics.db's `targets`), in config order. The callers check the role.
 */
export function configuredTargets(mdb: MetricsDb, config: OpsdeckConfig): TargetRow[] {
  const state = new Map(
    (
      mdb
        .prepare(
          "SELECT job, instance, health, last_scrape_at, duration_ms, samples, last_error FROM targets",
        )
        .all() as {
        job: string;
        instance: string;
        health: TargetRow["health"];
        last_scrape_at: number | null;
        duration_ms: number | null;
        samples: number | null;
        last_error: string | null;
      }[]
    ).map((r) => [`${r.job}\0${r.instance}`, r]),
  );
  return config.scrape.targets.flatMap((t) =>
    t.urls.map((url) => {
      const instance = instanceOf(url);
      const s = state.get(`${t.id}\0${instance}`);
      return {
        job: t.id,
        instance,
        url,
        service: t.service,
        environment: t.environment,
        intervalMs: t.interval ?? config.scrape.interval,
        health: s?.health ?? "unknown",
        lastScrapeAt: s?.last_scrape_at ?? null,
        durationMs: s?.duration_ms ?? null,
        samples: s?.samples ?? null,
        lastError: s?.last_error ?? null,
      };
    }),
  );
}
