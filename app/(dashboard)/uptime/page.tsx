import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { MonitorTable } from "@/components/uptime/monitor-table";
import { Skeleton } from "@/components/ui/skeleton";
import { filterMonitors, monitorFilterOf, pageOf, pageParam } from "@/lib/monitor-list";
import type { SearchParams } from "@/lib/search-params";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { recentIncidents } from "@/server/queries/uptime";
import { uptimeStatus } from "@/server/queries/uptime-status";

export const metadata: Metadata = { title: "Uptime" };

export default async function UptimePage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  await requirePageUser();
  const { config } = getConfig();
  const search = await searchParams;
  const filter = monitorFilterOf(search);
  const db = getDb();
  const status = uptimeStatus(db, config);
  // Filtered and paged here: the page's HTML holds 50 rows whatever the number of monitors.
  const kept = filterMonitors(status.monitors, filter);
  const list = pageOf(kept, pageParam(search));
  const keptIds = new Set(kept.map((m) => m.id));
  const incidents = recentIncidents(db, undefined, 30).filter((i) => keptIds.has(i.monitorId));
  const names = new Map(status.monitors.map((m) => [m.id, m.name]));
  return (
    <>
      <PageHeader
        title="Uptime"
        description="Every monitor: status, uptime over 24 hours to 90 days, response time and certificates. Updates live."
      />
      <Suspense fallback={<Skeleton className="h-64" />}>
        <MonitorTable
          initial={{ monitors: list.items, incidents: [], at: status.at }}
          total={list.total}
          page={list.page}
          filter={filter}
          environments={config.environments.map((e) => ({ id: e.id, name: e.name }))}
          services={config.services.map((s) => ({ id: s.id, name: s.name }))}
          incidents={incidents}
          incidentNames={Object.fromEntries(
            incidents.map((i) => [i.monitorId, names.get(i.monitorId) ?? i.monitorId]),
          )}
        />
      </Suspense>
    </>
  );
}
