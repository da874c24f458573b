import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { MonitorTable } from "@/components/uptime/monitor-table";
import { Skeleton } from "@/components/ui/skeleton";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { recentIncidents } from "@/server/queries/uptime";
import { uptimeStatus } from "@/server/queries/uptime-status";

export const metadata: Metadata = { title: "Uptime" };

export default async function UptimePage() {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { config } = getConfig();
  return (
    <>
      <PageHeader
        title="Uptime"
        timeZone={tz}
        description="Every monitor: status, uptime over 24 hours to 90 days, response time and certificates. Updates live."
      />
      <Suspense fallback={<Skeleton className="h-64" />}>
        <MonitorTable
          initial={uptimeStatus(getDb(), config)}
          timeZone={tz}
          environments={config.environments.map((e) => ({ id: e.id, name: e.name }))}
          services={config.services.map((s) => ({ id: s.id, name: s.name }))}
          incidents={recentIncidents(getDb(), undefined, 30)}
        />
      </Suspense>
    </>
  );
}
