import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { StatusPill } from "@/components/status-pill";
import { Pager } from "@/components/ui/pager";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/duration";
import { firstParam, hrefWith, intParam, type SearchParams } from "@/lib/search-params";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { metricTargets, TARGETS_PAGE, type TargetFilter } from "@/server/queries/metric-targets";
import { getMetricsDb } from "@/server/tsdb/db";

export const metadata: Metadata = { title: "Scrape targets · Metrics" };

const HEALTH = ["up", "down", "unknown"] as const;

function FilterSelect({
  label,
  name,
  value,
  options,
}: {
  label: string;
  name: string;
  value: string | undefined;
  options: readonly { id: string; name: string }[];
}) {
  return (
    <label className="text-sm">
      <span className="block text-xs text-slate-500">{label}</span>
      <select
        name={name}
        defaultValue={value ?? ""}
        className="rounded border border-slate-300 px-2 py-1"
      >
        <option value="">any</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export default async function TargetsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const search = await searchParams;
  const { config } = getConfig();
  const health = firstParam(search.health);
  // Links from the uptime side narrow the list to one service, environment or job.
  const idParam = (name: string) => firstParam(search[name])?.slice(0, 63);
  const filter: TargetFilter = {
    health: HEALTH.find((h) => h === health),
    q: firstParam(search.q)?.slice(0, 200),
    service: idParam("service"),
    environment: idParam("environment"),
    job: idParam("job"),
  };
  const page = intParam(search.page) ?? 1;
  const { rows, total, counts } = metricTargets(user, getMetricsDb(), config, filter, page);
  const now = new Date();
  const from = total === 0 ? 0 : (page - 1) * TARGETS_PAGE + 1;
  const to = Math.min(total, page * TARGETS_PAGE);
  const services = new Map(config.services.map((s) => [s.id, s.name]));
  const envs = new Map(config.environments.map((e) => [e.id, e.name]));

  return (
    <div className="space-y-4">
      <PageHeader
        title="Scrape targets"
        timeZone={tz}
        description="Every replica Opsdeck scrapes, with its last scrape. A failing target keeps its old data; its up series is 0 and the reason is shown here."
        actions={
          <>
            <Link href="/metrics" className="text-sm underline">
              Explore
            </Link>
            <Link href="/runbooks/metrics" className="text-sm underline">
              Runbook: metrics
            </Link>
            <Link href={hrefWith("/metrics/targets", search, {})} className="text-sm underline">
              Refresh
            </Link>
          </>
        }
      />
      <p className="text-sm text-slate-600" data-testid="targets-as-of">
        As of <Time value={now} timeZone={tz} />: {counts.up} up, {counts.down} down,{" "}
        {counts.unknown} not scraped yet.
      </p>
      <form className="flex flex-wrap items-end gap-3" action="/metrics/targets">
        <label className="text-sm">
          <span className="block text-xs text-slate-500">Search</span>
          <input
            name="q"
            defaultValue={filter.q ?? ""}
            maxLength={200}
            placeholder="job, instance, service"
            className="rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <FilterSelect
          label="Health"
          name="health"
          value={filter.health}
          options={HEALTH.map((h) => ({ id: h, name: h }))}
        />
        <FilterSelect
          label="Service"
          name="service"
          value={filter.service}
          options={config.services}
        />
        <FilterSelect
          label="Environment"
          name="environment"
          value={filter.environment}
          options={config.environments}
        />
        {filter.job ? <input type="hidden" name="job" value={filter.job} /> : null}
        <button className="rounded border border-slate-300 bg-white px-3 py-1 text-sm">
          Filter
        </button>
        {filter.job ? (
          <span className="text-sm text-slate-600">
            job {filter.job} ·{" "}
            <Link
              href={hrefWith("/metrics/targets", search, { job: undefined, page: undefined })}
              className="underline"
            >
              any job
            </Link>
          </span>
        ) : null}
      </form>
      {config.scrape.targets.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          No scrape targets are configured. Add them under <code>scrape.targets</code> in
          opsdeck.yaml (see the configuration reference).
        </p>
      ) : (
        <Table
          columns={["Target", "Health", "Last scrape", "Duration", "Samples"]}
          testId="targets"
          empty={rows.length === 0 ? "No target matches this filter." : undefined}
        >
          {rows.map((r) => (
            <tr
              key={`${r.job}\0${r.instance}`}
              className="border-t border-slate-100 align-top"
              data-testid={`target-${r.job}-${r.instance}`}
            >
              <td className="min-w-56 max-w-xl px-3 py-2">
                <div className="font-medium">
                  {r.job} <span className="text-slate-500">· {r.instance}</span>
                </div>
                <div className="text-xs text-slate-500">
                  {services.get(r.service) ?? r.service} ·{" "}
                  {envs.get(r.environment) ?? r.environment} · every {formatDuration(r.intervalMs)}
                </div>
                <div className="break-all text-xs text-slate-500">{r.url}</div>
                {/* In the first cell, so a phone shows why without scrolling sideways. */}
                {r.lastError ? (
                  <div className="mt-1 break-words text-sm text-red-700">{r.lastError}</div>
                ) : null}
              </td>
              <td className="px-3 py-2">
                <StatusPill status={r.health} />
              </td>
              <td className="whitespace-nowrap px-3 py-2">
                <Time value={r.lastScrapeAt ? new Date(r.lastScrapeAt) : null} timeZone={tz} />
              </td>
              <td className="whitespace-nowrap px-3 py-2">
                {r.durationMs === null ? "—" : `${r.durationMs.toFixed(1)} ms`}
              </td>
              <td className="px-3 py-2">{r.samples?.toLocaleString("en") ?? "—"}</td>
            </tr>
          ))}
        </Table>
      )}
      <Pager
        from={from}
        to={to}
        total={total}
        noun="replicas"
        prevHref={
          page > 1 ? hrefWith("/metrics/targets", search, { page: String(page - 1) }) : null
        }
        nextHref={
          to < total ? hrefWith("/metrics/targets", search, { page: String(page + 1) }) : null
        }
      />
    </div>
  );
}
