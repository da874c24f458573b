import type { Metadata } from "next";
import Link from "next/link";
import { Explore } from "@/components/metrics/explore";
import { PageHeader } from "@/components/page-header";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { rangeOf } from "@/lib/metrics/explore";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { vocabulary } from "@/server/tsdb/prom-metadata";

export const metadata: Metadata = { title: "Metrics" };

export default async function MetricsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const search = await searchParams;
  const query = (firstParam(search.q) ?? "").slice(0, 10_000);
  const range = rangeOf(firstParam(search.range)).id;
  const { config } = getConfig();
  const { metricNames, labelNames } = await vocabulary(config.metrics.datasource);
  return (
    <div className="space-y-4">
      <PageHeader
        title="Metrics"
        timeZone={tz}
        description={
          config.metrics.datasource.type === "builtin"
            ? `Query what Opsdeck scrapes and receives, in PromQL. ${metricNames.length} metrics stored.`
            : `Query ${config.metrics.datasource.url} in PromQL (the configured Prometheus datasource).`
        }
        actions={
          <Link href="/metrics/targets" className="text-sm underline">
            Scrape targets
          </Link>
        }
      />
      <Explore
        // A link or back/forward to another query starts the box from it.
        key={`${query}\0${range}`}
        initialQuery={query}
        initialRange={range}
        metricNames={metricNames}
        labelNames={labelNames}
        timeZone={tz}
      />
    </div>
  );
}
