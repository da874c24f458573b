import type { Metadata } from "next";
import { cookies } from "next/headers";
import { Suspense } from "react";
import { AutoRefresh } from "@/components/auto-refresh";
import { PageHeader } from "@/components/page-header";
import { ServiceGrid } from "@/components/service-grid";
import { Skeleton } from "@/components/ui/skeleton";
import { ENV_COOKIE } from "@/lib/nav";
import { getConfig } from "@/server/config";
import { allServiceHealth } from "@/server/queries/service-health";

export const metadata: Metadata = { title: "Overview" };

async function HealthGrid({ environmentId }: { environmentId?: string }) {
  const { config } = getConfig();
  const health = await allServiceHealth(config, environmentId);
  const environments = config.environments.filter((e) => !environmentId || e.id === environmentId);
  return (
    <ServiceGrid
      environments={environments.map((e) => ({ id: e.id, name: e.name, protected: e.protected }))}
      services={config.services.map((s) => ({
        id: s.id,
        name: s.name,
        description: s.description ?? null,
      }))}
      health={health}
    />
  );
}

export default async function OverviewPage() {
  const chosen = (await cookies()).get(ENV_COOKIE)?.value;
  const { config } = getConfig();
  const environmentId = config.environments.some((e) => e.id === chosen) ? chosen : undefined;
  return (
    <>
      <PageHeader
        title="Overview"
        description="Health of every service in every environment, checked live against each /health endpoint."
        actions={<AutoRefresh seconds={15} />}
      />
      <Suspense fallback={<Skeleton className="h-48" label="Checking services…" />}>
        <HealthGrid environmentId={environmentId} />
      </Suspense>
    </>
  );
}
