import "server-only";
import { and, desc, eq, gte, inArray, ne, or, sql } from "drizzle-orm";
import {
  HEADLINES,
  overallState,
  RESOLVED_SHOWN_DAYS,
  serviceState,
  worstRatio,
  type PublicDay,
  type PublicIncident,
  type PublicService,
  type PublicStatusPage,
} from "@/lib/status-page";
import { getConfig } from "@/server/config";
import type { OpsdeckConfig, StatusPageConfig } from "@/server/config/schema";
import { getDb, type Db } from "@/server/db";
import { statusUpdates } from "@/server/db/schema";
import { dailyUptime, monitorSummaries } from "./uptime";

const DAY = 86_400_000;
/** At most this many incidents of each kind: a page stays one screenful, however long the history. */
export const INCIDENTS_SHOWN = 20;
/** And at most this many updates per incident, newest first. */
export const UPDATES_SHOWN = 20;

export function statusPageBySlug(config: OpsdeckConfig, slug: string): StatusPageConfig | null {
  return config.statusPages.find((p) => p.path === slug) ?? null;
}

/**
 * Everything a public status page shows, and nothing else: display names, states,
 * the same uptime figures every page and the badge use (the worst monitor of a
 * service), and the public updates posted on alerts about its services. No monitor
 * ids, targets or errors, no rule names, no people.
 */
export function buildStatusPage(
  db: Db,
  config: OpsdeckConfig,
  page: StatusPageConfig,
  now = Date.now(),
): PublicStatusPage {
  const names = new Map(config.services.map((s) => [s.id, s]));
  const monitorsOf = (serviceId: string) =>
    config.monitors.filter(
      (m) => m.service === serviceId && (!page.environment || m.environment === page.environment),
    );
  const watched = page.services.flatMap(monitorsOf);
  const summaries = new Map(monitorSummaries(db, watched, now).map((s) => [s.id, s]));
  const services: PublicService[] = page.services.map((id) => {
    const monitors = monitorsOf(id);
    const bars = monitors.map((m) => dailyUptime(db, m, 90, now));
    const days: PublicDay[] = Array.from({ length: 90 }, (_, i) => {
      const day = bars[0]?.[i]?.day ?? Math.floor(now / DAY) * DAY - (89 - i) * DAY;
      return {
        day: new Date(day).toISOString().slice(0, 10),
        uptime: worstRatio(bars.map((b) => b[i]?.uptime ?? null)),
      };
    });
    const s = monitors.map((m) => summaries.get(m.id)!);
    return {
      name: names.get(id)?.name ?? id,
      description: names.get(id)?.description ?? null,
      state: serviceState(s.map((x) => x.status)),
      uptime90d: worstRatio(s.map((x) => x.uptime["90d"])),
      days,
    };
  });
  const state = overallState(services.map((s) => s.state));
  const { open, resolved } = publicIncidents(db, config, page, now);
  return {
    title: page.title,
    description: page.description ?? null,
    state,
    headline: HEADLINES[state],
    services,
    openIncidents: open,
    resolvedIncidents: resolved,
    at: new Date(now).toISOString(),
  };
}

/** Incidents (alerts with public updates) on this page: open ones, and those resolved in the last 14 days. */
function publicIncidents(db: Db, config: OpsdeckConfig, page: StatusPageConfig, now: number) {
  const cutoff = new Date(now - RESOLVED_SHOWN_DAYS * DAY);
  // Each alert's latest update (the incident's status), through the (service, alert_id, id) index.
  const latest = db
    .select({
      alertId: statusUpdates.alertId,
      status: statusUpdates.status,
      statusPages: statusUpdates.statusPages,
      at: statusUpdates.at,
    })
    .from(statusUpdates)
    .where(
      and(
        inArray(statusUpdates.service, page.services),
        sql`${statusUpdates.id} = (select max(u.id) from status_updates u where u.alert_id = ${statusUpdates.alertId})`,
        or(ne(statusUpdates.status, "resolved"), gte(statusUpdates.at, cutoff)),
      ),
    )
    .orderBy(desc(statusUpdates.at), desc(statusUpdates.id))
    .all()
    .filter((r) => r.statusPages.includes(page.id));
  const open = latest.filter((r) => r.status !== "resolved").slice(0, INCIDENTS_SHOWN);
  const resolved = latest.filter((r) => r.status === "resolved").slice(0, INCIDENTS_SHOWN);
  const ids = [...open, ...resolved].map((r) => r.alertId);
  if (ids.length === 0) return { open: [], resolved: [] };
  const rows = db
    .select()
    .from(statusUpdates)
    .where(inArray(statusUpdates.alertId, ids))
    .orderBy(desc(statusUpdates.id))
    .all();
  const names = new Map(config.services.map((s) => [s.id, s.name]));
  const incident = (alertId: number): PublicIncident => {
    const updates = rows.filter((u) => u.alertId === alertId);
    const first = updates[updates.length - 1]!;
    const last = updates[0]!;
    return {
      title: updates.findLast((u) => u.title)?.title ?? "Incident",
      status: last.status,
      services: [names.get(first.service) ?? first.service],
      startedAt: first.at.toISOString(),
      updatedAt: last.at.toISOString(),
      updates: updates
        .slice(0, UPDATES_SHOWN)
        .map((u) => ({ status: u.status, message: u.message, at: u.at.toISOString() })),
    };
  };
  return {
    open: open.map((r) => incident(r.alertId)),
    resolved: resolved.map((r) => incident(r.alertId)),
  };
}

const cache = new Map<string, { config: OpsdeckConfig; until: number; data: PublicStatusPage }>();

/**
 * The page for a slug, computed at most once per its `cacheSeconds` for everyone
 * (a reloaded config computes afresh); null for an unknown slug.
 */
export function cachedStatusPage(slug: string, now = Date.now()): PublicStatusPage | null {
  const { config } = getConfig();
  const page = statusPageBySlug(config, slug);
  if (!page) return null;
  const hit = cache.get(slug);
  if (hit && hit.config === config && hit.until > now) return hit.data;
  const data = buildStatusPage(getDb(), config, page, now);
  cache.set(slug, { config, until: now + page.cacheSeconds * 1000, data });
  return data;
}

/** An alert's public updates, newest first, for its own page (the team sees who posted each). */
export function alertStatusUpdates(db: Db, alertId: number, limit = UPDATES_SHOWN) {
  const rows = db
    .select()
    .from(statusUpdates)
    .where(eq(statusUpdates.alertId, alertId))
    .orderBy(desc(statusUpdates.id))
    .limit(limit + 1)
    .all();
  return { items: rows.slice(0, limit), more: rows.length > limit };
}
