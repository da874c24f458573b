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
import { PauseButton } from "@/components/uptime/pause-button";
import { ResponseChart } from "@/components/uptime/response-chart";
import { UptimeBars } from "@/components/uptime/uptime-bars";
import { formatDuration } from "@/lib/duration";
import { describeTarget } from "@/lib/monitor-target";
import { hasRole } from "@/lib/roles";
import { formatUptime, RANGE_PLAN, RANGES, type Range } from "@/lib/uptime";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import type { MonitorConfig } from "@/server/config/schema";
import { getDb } from "@/server/db";
import {
  dailyUptime,
  recentIncidents,
  monitorName,
  rangeFigures,
  recentChecks,
  responseSeries,
} from "@/server/queries/uptime";
import { uptimeStatus } from "@/server/queries/uptime-status";
import { deployMarkers } from "@/server/queries/deployments";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ range?: string }> };

function findMonitor(id: string): MonitorConfig | undefined {
  return getConfig().config.monitors.find((m) => m.id === id);
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await requirePageUser();
  const m = findMonitor((await params).id);
  return { title: m ? monitorName(m) : "Monitor" };
}

async function Chart({
  id,
  range,
  service,
  environment,
}: {
  id: string;
  range: Range;
  service: string;
  environment: string;
}) {
  const db = getDb();
  const plan = RANGE_PLAN[range];
  const points = responseSeries(db, id, range);
  const figures = rangeFigures(db, id, range);
  return (
    <>
      <dl className="mb-3 flex flex-wrap gap-6 text-sm">
        {(
          [
            ["Uptime", formatUptime(figures.uptime)],
            ["p50", figures.p50 === null ? "—" : `${Math.round(figures.p50)} ms`],
            ["p95", figures.p95 === null ? "—" : `${Math.round(figures.p95)} ms`],
            ["p99", figures.p99 === null ? "—" : `${Math.round(figures.p99)} ms`],
          ] as const
        ).map(([k, v]) => (
          <div key={k}>
            <dt className="text-xs text-slate-500">{k}</dt>
            <dd className="font-semibold tabular-nums" data-testid={`figure-${k.toLowerCase()}`}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
      <ResponseChart
        markers={deployMarkers(db, service, environment, points[0]?.t ?? 0)}
        points={points.map(({ t, p50, p95 }) => ({ t, p50, p95 }))}
        spanMs={plan.spanMs}
      />
    </>
  );
}

export default async function MonitorPage({ params, searchParams }: Props) {
  const user = await requirePageUser();
  const { id } = await params;
  const monitor = findMonitor(id);
  if (!monitor) notFound();
  const requested = (await searchParams).range;
  const range: Range = RANGES.includes(requested as Range) ? (requested as Range) : "24h";
  const db = getDb();
  const status = uptimeStatus(db, getConfig().config);
  const summary = status.monitors.find((m) => m.id === id)!;
  const incidents = recentIncidents(db, id);
  const checks = recentChecks(db, id, 30);

  return (
    <div className="space-y-6">
      <PageHeader
        title={monitorName(monitor)}
        description={`${monitor.type.toUpperCase()} · ${describeTarget(monitor as never)} · ${monitor.service} · ${monitor.environment}${
          monitor.type === "heartbeat"
            ? ` · expected every ${formatDuration(monitor.period)}, grace ${formatDuration(monitor.grace)}`
            : ` · every ${formatDuration(monitor.interval)}, ${monitor.retries} ${monitor.retries === 1 ? "retry" : "retries"}`
        }`}
        actions={
          hasRole(user.role, "operator") && !monitor.paused ? (
            <PauseButton monitorId={id} paused={summary.status === "paused"} />
          ) : null
        }
      />
      <LiveStatus initial={status} monitorId={id} />

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <h2 className="font-semibold">Response time</h2>
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
        </div>
        <Suspense fallback={<Skeleton className="h-64" />}>
          <Chart
            id={id}
            range={range}
            service={monitor.service}
            environment={monitor.environment}
          />
        </Suspense>
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 font-semibold">Uptime per day (90 days, UTC)</h2>
        <UptimeBars days={dailyUptime(db, id, 90)} />
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
                <Time value={i.openedAt} />
              </td>
              <td className="whitespace-nowrap px-3 py-2">
                {i.closedAt ? <Time value={i.closedAt} /> : <StatusPill status="down" />}
              </td>
              <td className="px-3 py-2">{formatDuration(i.durationMs)}</td>
              <td className="px-3 py-2 text-red-800">{i.cause}</td>
              <td className="px-3 py-2 tabular-nums">{i.failedChecks}</td>
            </tr>
          ))}
        </Table>
      </section>

      <section>
        <h2 className="mb-2 font-semibold">Recent checks</h2>
        <Table
          columns={["Time", "Result", "Response", "HTTP", "Error"]}
          testId="check-table"
          empty={checks.length ? undefined : "No checks yet."}
        >
          {checks.map((c) => (
            <tr key={c.id} className="border-t border-slate-100 align-top">
              <td className="whitespace-nowrap px-3 py-2">
                <Time value={c.at} />
              </td>
              <td className="px-3 py-2">
                <StatusPill
                  status={c.maintenance ? "maintenance" : c.retrying ? "retrying" : c.status}
                />
              </td>
              <td className="px-3 py-2 tabular-nums">
                {c.responseMs !== null ? `${c.responseMs} ms` : "—"}
              </td>
              <td className="px-3 py-2 tabular-nums">{c.statusCode ?? "—"}</td>
              <td className="px-3 py-2 text-xs text-red-700">{c.error ?? ""}</td>
            </tr>
          ))}
        </Table>
      </section>
    </div>
  );
}
