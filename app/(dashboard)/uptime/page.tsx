import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { MonitorTable } from "@/components/uptime/monitor-table";
import { Skeleton } from "@/components/ui/skeleton";
import { hasRole } from "@/lib/roles";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { recentIncidents } from "@/server/queries/uptime";
import { uptimeStatus } from "@/server/queries/uptime-status";

export const metadata: Metadata = { title: "Uptime" };

export default async function UptimePage() {
  const user = await requirePageUser();
  const { config } = getConfig();
  return (
    <>
      <PageHeader
        title="Uptime"
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
      <Suspense fallback={<Skeleton className="h-64" />}>
        <MonitorTable
          initial={uptimeStatus(getDb(), config)}
          environments={config.environments.map((e) => ({ id: e.id, name: e.name }))}
          services={config.services.map((s) => ({ id: s.id, name: s.name }))}
          incidents={recentIncidents(getDb(), undefined, 30)}
        />
      </Suspense>
    </>
  );
}
