import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { StatusPill } from "@/components/status-pill";
import { Table } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { Time } from "@/components/ui/time";
import { LiveStatus } from "@/components/uptime/live-status";
import { PingTimeline } from "@/components/uptime/ping-timeline";
import { PingUrls } from "@/components/uptime/ping-urls";
import { PauseButton } from "@/components/uptime/pause-button";
import { ReplicaList } from "@/components/uptime/replica-list";
import { ResponseChart } from "@/components/uptime/response-chart";
import { UptimeBars } from "@/components/uptime/uptime-bars";
import { formatDuration } from "@/lib/duration";
import { describeTarget } from "@/lib/monitor-target";
import { hasRole } from "@/lib/roles";
import { intParam } from "@/lib/search-params";
import { formatUptime, RANGES, utcMinute, type Range } from "@/lib/uptime";
import { requirePageUser, type SessionUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import type { MonitorConfig } from "@/server/config/schema";
import { getDb } from "@/server/db";
import {
  dailyUptime,
  heartbeatTimes,
  recentIncidents,
  monitorName,
  monitorRange,
  recentChecks,
} from "@/server/queries/uptime";
import { hasReplicas, replicaHealth } from "@/server/queries/replica-health";
import { monitorStatus } from "@/server/queries/uptime-status";
import { getMetricsDb } from "@/server/tsdb/db";
import { deployMarkers } from "@/server/queries/deployments";
import { opsdeckUrl } from "@/server/alerts/payload";

/** Where a heartbeat's job pings (token or placeholder). */
const pingUrl = (token: string) => opsdeckUrl(`/api/ingest/heartbeat/${token}`);

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ range?: string; replicas?: string }>;
};

function findMonitor(id: string): MonitorConfig | undefined {
  return getConfig().config.monitors.find((m) => m.id === id);
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await requirePageUser();
  const m = findMonitor((await params).id);
  return { title: m ? `${monitorName(m)} · Uptime` : "Not found" };
}

const slug = (label: string) => label.toLowerCase().replace(/\s+/g, "-");

function Figures({ items }: { items: [string, string, string | null][] }) {
  return (
    <dl className="mb-3 flex flex-wrap gap-6 text-sm">
      {items.map(([k, v, note]) => (
        <div key={k}>
          <dt className="text-xs text-slate-500">{k}</dt>
          <dd className="font-semibold tabular-nums" data-testid={`figure-${slug(k)}`}>
            {v}
          </dd>
          {note ? (
            <dd className="text-[11px] text-slate-500" data-testid={`figure-${slug(k)}-note`}>
              {note}
            </dd>
          ) : null}
        </div>
      ))}
    </dl>
  );
}

const ms = (v: number | null) => (v === null ? "—" : `${Math.round(v)} ms`);

async function Chart({ monitor, range }: { monitor: MonitorConfig; range: Range }) {
  const db = getDb();
  const { service, environment } = monitor;
  const { points, bands, figures, range: span } = monitorRange(db, monitor, range);
  return (
    <>
      <Figures
        items={[
          ["Uptime", formatUptime(figures.uptime), sinceNote(figures.since)],
          ["p50", ms(figures.p50), null],
          ["p95", ms(figures.p95), null],
          ["p99", ms(figures.p99), null],
        ]}
      />
      <ResponseChart
        markers={deployMarkers(db, service, environment, points[0]?.t ?? 0)}
        points={points.map(({ t, p50, p95 }) => ({ t, p50, p95 }))}
        bands={bands}
        range={span}
      />
    </>
  );
}

/** A heartbeat's range: uptime, its pings along the range and its down periods; no latency. */
async function Pings({ monitor, range }: { monitor: MonitorConfig; range: Range }) {
  const db = getDb();
  const { bands, figures, range: span } = monitorRange(db, monitor, range);
  const pings = recentChecks(db, monitor.id, 500).map((c) => ({
    at: c.at.getTime(),
    status: c.status,
  }));
  return (
    <>
      <Figures items={[["Uptime", formatUptime(figures.uptime), sinceNote(figures.since)]]} />
      <PingTimeline pings={pings} bands={bands} range={span} />
    </>
  );
}

/** The replicas behind the monitor's service and environment (their 24 h history is a query). */
async function Replicas({
  user,
  monitor,
  page,
  range,
  timeZone,
}: {
  user: SessionUser;
  monitor: MonitorConfig;
  page: number;
  range: Range;
  timeZone: string;
}) {
  const view = await replicaHealth(user, getMetricsDb(), getConfig().config, {
    service: monitor.service,
    environment: monitor.environment,
    page,
  });
  return (
    <ReplicaList
      initial={view}
      timeZone={timeZone}
      pageHref={{ path: `/uptime/${monitor.id}`, search: range === "24h" ? {} : { range } }}
    />
  );
}

function sinceNote(since: number | null): string | null {
  return since === null ? null : `since the first check, ${utcMinute(since)}`;
}

function RangeNav({ id, range }: { id: string; range: Range }) {
  return (
    <nav aria-label="Range" className="flex gap-1">
      {RANGES.map((r) => (
        <Link
          key={r}
          href={`/uptime/${id}?range=${r}`}
          aria-current={r === range ? "page" : undefined}
          className={`rounded px-2 py-1 text-xs ${r === range ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100"}`}
        >
          {r}
        </Link>
      ))}
    </nav>
  );
}

export default async function MonitorPage({ params, searchParams }: Props) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { id } = await params;
  const monitor = findMonitor(id);
  if (!monitor) notFound();
  const search = await searchParams;
  const requested = search.range;
  const range: Range = RANGES.includes(requested as Range) ? (requested as Range) : "24h";
  const db = getDb();
  // This monitor only: the live status widget needs no other (the live poll brings them all).
  const status = monitorStatus(db, monitor);
  const summary = status.monitors[0]!;
  const incidents = recentIncidents(db, id);
  const checks = recentChecks(db, id, 30);
  const beats = heartbeatTimes(db, id);

  return (
    <div className="space-y-6">
      <PageHeader
        title={monitorName(monitor)}
        timeZone={tz}
        description={`${monitor.type.toUpperCase()} · ${describeTarget(monitor as never)} · ${getConfig().config.services.find((s) => s.id === monitor.service)?.name ?? monitor.service} · ${getConfig().config.environments.find((e) => e.id === monitor.environment)?.name ?? monitor.environment}${
          monitor.type === "heartbeat"
            ? ` · expected every ${formatDuration(monitor.period)}, grace ${formatDuration(monitor.grace)}`
            : ` · every ${formatDuration(monitor.interval)}, ${monitor.retries} ${monitor.retries === 1 ? "retry" : "retries"}`
        }`}
        actions={
          <>
            {hasRole(user.role, "operator") && !monitor.paused ? (
              <PauseButton monitorId={id} paused={summary.status === "paused"} />
            ) : null}
            {hasRole(user.role, "admin") ? (
              <Link
                href={`/config/monitors?id=${encodeURIComponent(id)}`}
                className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-900 hover:bg-slate-100"
              >
                Edit
              </Link>
            ) : null}
          </>
        }
      />
      <LiveStatus initial={status} monitorId={id} />

      {hasReplicas(getConfig().config, monitor.service, monitor.environment) ? (
        <Suspense fallback={<Skeleton className="h-40" />}>
          <Replicas
            user={user}
            monitor={monitor}
            page={intParam(search.replicas) ?? 1}
            range={range}
            timeZone={tz}
          />
        </Suspense>
      ) : null}

      {monitor.type === "heartbeat" ? (
        <>
          <section className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="mb-3 font-semibold">Heartbeat</h2>
            <Figures
              items={[
                [
                  "Last ping",
                  beats.lastPingAt ? utcMinute(beats.lastPingAt) : "never",
                  beats.lastStartAt ? `a run started ${utcMinute(beats.lastStartAt)}` : null,
                ],
                ["Expected every", formatDuration(monitor.period), null],
                ["Grace", formatDuration(monitor.grace), null],
              ]}
            />
            <h3 className="mb-2 mt-4 text-sm font-semibold">Ping URL</h3>
            <PingUrls
              url={pingUrl(hasRole(user.role, "operator") ? monitor.token.reveal() : "<token>")}
              hasToken={hasRole(user.role, "operator")}
            />
          </section>
          <section className="rounded-lg border border-slate-200 bg-white p-4">
            <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
              <h2 className="font-semibold">Pings</h2>
              <RangeNav id={id} range={range} />
            </div>
            <Suspense fallback={<Skeleton className="h-16" />}>
              <Pings monitor={monitor} range={range} />
            </Suspense>
          </section>
        </>
      ) : (
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
            <h2 className="font-semibold">Response time</h2>
            <RangeNav id={id} range={range} />
          </div>
          <Suspense fallback={<Skeleton className="h-64" />}>
            <Chart monitor={monitor} range={range} />
          </Suspense>
        </section>
      )}

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 font-semibold">Uptime per day (90 days, UTC)</h2>
        <UptimeBars days={dailyUptime(db, monitor, 90)} />
      </section>

      <section>
        <h2 className="mb-2 font-semibold">Incidents</h2>
        <Table
          columns={["Started", "Ended", "Duration", "Cause", "Failed checks"]}
          testId="incident-table"
          empty={incidents.length ? undefined : "No incidents."}
        >
          {incidents.map((i) => (
            <tr key={i.id} className="border-t border-slate-100 align-top">
              <td className="whitespace-nowrap px-3 py-2">
                <Time timeZone={tz} value={i.openedAt} />
              </td>
              <td className="whitespace-nowrap px-3 py-2">
                {i.closedAt ? (
                  <Time timeZone={tz} value={i.closedAt} />
                ) : (
                  <StatusPill status="down" />
                )}
              </td>
              <td className="px-3 py-2">{formatDuration(i.durationMs)}</td>
              <td className="px-3 py-2 text-red-800">{i.cause}</td>
              <td className="px-3 py-2 tabular-nums">{i.failedChecks}</td>
            </tr>
          ))}
        </Table>
      </section>

      <section>
        <h2 className="mb-2 font-semibold">
          {monitor.type === "heartbeat" ? "Recent pings" : "Recent checks"}
        </h2>
        <Table
          columns={
            monitor.type === "heartbeat"
              ? ["Time", "Result", "Run time", "Message"]
              : ["Time", "Result", "Response", "HTTP", "Error"]
          }
          testId="check-table"
          empty={checks.length ? undefined : "No checks yet."}
        >
          {checks.map((c) => (
            <tr key={c.id} className="border-t border-slate-100 align-top">
              <td className="whitespace-nowrap px-3 py-2">
                <Time timeZone={tz} value={c.at} />
              </td>
              <td className="px-3 py-2">
                <StatusPill
                  status={c.maintenance ? "maintenance" : c.retrying ? "retrying" : c.status}
                />
              </td>
              <td className="px-3 py-2 tabular-nums">
                {c.responseMs === null
                  ? "—"
                  : c.responseMs >= 60_000
                    ? formatDuration(c.responseMs)
                    : `${c.responseMs} ms`}
              </td>
              {monitor.type === "heartbeat" ? null : (
                <td className="px-3 py-2 tabular-nums">{c.statusCode ?? "—"}</td>
              )}
              <td className="px-3 py-2 text-xs text-red-700">{c.error ?? ""}</td>
            </tr>
          ))}
        </Table>
      </section>
    </div>
  );
}
