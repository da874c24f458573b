import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { OverviewBoard } from "@/components/uptime/overview-board";
import { ReplicaSummary } from "@/components/uptime/replica-summary";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { environmentInView, selectedEnvironment, titleSuffix } from "@/server/queries/page-title";
import { replicaSummary } from "@/server/queries/replica-health";
import { uptimeStatus } from "@/server/queries/uptime-status";
import { getMetricsDb } from "@/server/tsdb/db";
import { overviewOf } from "@/lib/overview";
import { pageOf } from "@/lib/monitor-list";
import { intParam, type SearchParams } from "@/lib/search-params";
import { FiringAlerts } from "@/components/alerts/firing-alerts";
import { OnCallNow } from "@/components/oncall/on-call-now";
import { onCallSummaries } from "@/server/oncall/schedules";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";

// The layout's title template does not apply to a page in its own segment.
export async function generateMetadata(): Promise<Metadata> {
  await requirePageUser();
  return {
    title: { absolute: `Overview · ${await environmentInView()} · ${await titleSuffix()}` },
  };
}

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { config } = getConfig();
  const chosen = await selectedEnvironment(config);
  const environments = config.environments.filter((e) => chosen === "all" || e.id === chosen);
  const services = pageOf(config.services, intParam((await searchParams).page));
  const names = {
    services: Object.fromEntries(config.services.map((s) => [s.id, s.name])),
    environments: Object.fromEntries(config.environments.map((e) => [e.id, e.name])),
  };
  // A monitor behind a load balancer stays green while one replica is down: say so here.
  const replicaFilter = { service: "", environment: chosen === "all" ? "" : chosen };
  const replicas = replicaSummary(user, getMetricsDb(), config, replicaFilter);
  return (
    <>
      <PageHeader
        title="Overview"
        timeZone={tz}
        description="Every service in the chosen environment, coloured by its worst monitor. Updates live. Firing alerts and on-call cover every environment."
      />
      <div className="mb-6 grid gap-4 md:grid-cols-2">
        <FiringAlerts />
        <OnCallNow schedules={onCallSummaries(getDb(), config)} timeZone={tz} />
      </div>
      {replicas.total ? (
        <div className="mb-6">
          <ReplicaSummary initial={replicas} filter={replicaFilter} names={names} troubledOnly />
        </div>
      ) : null}
      <OverviewBoard
        initial={overviewOf(uptimeStatus(getDb(), config))}
        names={names}
        environments={(environments.length ? environments : config.environments).map((e) => ({
          id: e.id,
          name: e.name,
          protected: e.protected,
        }))}
        services={services.items.map((s) => ({
          id: s.id,
          name: s.name,
          description: s.description ?? null,
          environments: Object.keys(s.environments),
        }))}
        servicePage={{
          from: services.from,
          to: services.to,
          total: services.total,
          page: services.page,
          pages: services.pages,
        }}
      />
    </>
  );
}
