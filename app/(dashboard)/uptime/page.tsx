import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { MonitorTable } from "@/components/uptime/monitor-table";
import { ReplicaSummary } from "@/components/uptime/replica-summary";
import { Skeleton } from "@/components/ui/skeleton";
import { monitorFilterOf, pageParam } from "@/lib/monitor-list";
import { replicaFilterOf } from "@/lib/replica-health";
import { hasRole } from "@/lib/roles";
import type { SearchParams } from "@/lib/search-params";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { replicaSummary } from "@/server/queries/replica-health";
import { uptimeListPage } from "@/server/queries/uptime-status";
import { getMetricsDb } from "@/server/tsdb/db";

export const metadata: Metadata = { title: "Uptime" };

export default async function UptimePage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { config } = getConfig();
  const search = await searchParams;
  const filter = monitorFilterOf(search);
  // Filtered and paged before summarising: the page costs one page of summaries and its
  // HTML holds 50 rows, whatever the number of monitors.
  const view = uptimeListPage(getDb(), config, filter, pageParam(search));
  // The scraped replicas of the services and environments the filter keeps: a monitor
  // behind a load balancer stays up while one of them is down.
  const replicaFilter = replicaFilterOf(filter);
  const replicas = replicaFilter && replicaSummary(user, getMetricsDb(), config, replicaFilter);
  return (
    <>
      <PageHeader
        title="Uptime"
        timeZone={tz}
        description="Every monitor: status, uptime over 24 hours to 90 days, response time and certificates. Updates live."
        actions={
          hasRole(user.role, "admin") ? (
            <Link
              href="/config/monitors"
              className="rounded-md bg-slate-900 px-3.5 py-2 text-sm font-medium text-white hover:bg-slate-700"
            >
              Add monitor
            </Link>
          ) : null
        }
      />
      {config.statusPages.length ? (
        <p className="mb-4 text-sm text-slate-600" data-testid="status-page-links">
          Public status pages:{" "}
          {config.statusPages.map((p, i) => (
            <span key={p.id}>
              {i ? ", " : ""}
              <a className="underline" href={`/status/${p.path}`}>
                {p.title}
              </a>
            </span>
          ))}
        </p>
      ) : null}
      {replicaFilter && replicas?.total ? (
        <div className="mb-4">
          <ReplicaSummary
            initial={replicas}
            filter={replicaFilter}
            names={{
              services: Object.fromEntries(config.services.map((s) => [s.id, s.name])),
              environments: Object.fromEntries(config.environments.map((e) => [e.id, e.name])),
            }}
          />
        </div>
      ) : null}
      <Suspense fallback={<Skeleton className="h-64" />}>
        <MonitorTable
          initial={view}
          filter={filter}
          timeZone={tz}
          environments={config.environments.map((e) => ({ id: e.id, name: e.name }))}
          services={config.services.map((s) => ({ id: s.id, name: s.name }))}
        />
      </Suspense>
    </>
  );
}
