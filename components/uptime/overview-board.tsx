"use client";

import Link from "next/link";
import { StatusPill } from "@/components/status-pill";
import { formatDuration } from "@/lib/duration";
import { Pager } from "@/components/ui/pager";
import { cellKey, type OverviewView } from "@/lib/overview";
import { formatUptime, type MonitorStatusName } from "@/lib/uptime";
import { STATUS_STYLE } from "./status-dot";
import { useOverview } from "./use-uptime-status";

const STATUS_ORDER: MonitorStatusName[] = [
  "down",
  "late",
  "pending",
  "degraded",
  "up",
  "unknown",
  "new",
  "paused",
];

type Env = { id: string; name: string; protected: boolean };
type Service = { id: string; name: string; description: string | null; environments: string[] };

/**
 * Open incidents, the monitors not up, then services × environments coloured by their
 * worst monitor; live. The server sends summaries (one page of services), never one row
 * per monitor, in the first render and in every live poll alike.
 */
export function OverviewBoard({
  initial,
  environments,
  services,
  servicePage,
  names,
}: {
  initial: OverviewView;
  environments: Env[];
  /** This page's services. */
  services: Service[];
  /** Every service's and environment's display name, by id: people read names, not ids. */
  names: { services: Record<string, string>; environments: Record<string, string> };
  servicePage: { from: number; to: number; total: number; page: number; pages: number };
}) {
  const view = useOverview(initial);
  const { incidents, cells, notUp, notUpTotal, counts, incidentMonitors } = view;
  const now = Date.parse(view.at);
  const total = Object.values(counts).reduce((a, n) => a + (n ?? 0), 0);
  const where = (m: { service: string; environment: string }) =>
    `${names.services[m.service] ?? m.service} · ${names.environments[m.environment] ?? m.environment}`;
  return (
    <div className="space-y-6">
      <section aria-label="Open incidents" data-testid="open-incidents">
        {incidents.length === 0 ? (
          <p className="rounded-lg border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
            No open incidents.
          </p>
        ) : (
          <ul className="space-y-2">
            {incidents.map((i) => {
              const m = incidentMonitors[i.monitorId];
              return (
                <li
                  key={i.id}
                  className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm"
                  data-testid={`incident-${i.monitorId}`}
                >
                  <div className="flex flex-wrap items-center gap-2">
                    <StatusPill status="down" />
                    <Link href={`/uptime/${i.monitorId}`} className="font-medium underline">
                      {m?.name ?? i.monitorId}
                    </Link>
                    <span className="text-slate-600">
                      {m ? where(m) : null} · down for{" "}
                      {formatDuration(Math.max(0, now - Date.parse(i.openedAt)))}
                    </span>
                  </div>
                  <div className="mt-1 text-red-800">{i.cause}</div>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-label="Monitors not up" data-testid="monitors-not-up" className="space-y-2">
        <p className="text-sm text-slate-600" data-testid="monitor-counts">
          {total} monitor{total === 1 ? "" : "s"}
          {STATUS_ORDER.filter((st) => counts[st]).map((st) => (
            <span key={st}>
              {" · "}
              <Link href={`/uptime?status=${st}`} className="underline">
                {counts[st]} {STATUS_STYLE[st].label.toLowerCase()}
              </Link>
            </span>
          ))}
        </p>
        {notUp.length > 0 ? (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
            {notUp.map((m) => (
              <li key={m.id} className="flex flex-wrap items-center gap-2 px-4 py-2">
                <StatusPill status={m.status} />
                <Link href={`/uptime/${m.id}`} className="font-medium underline">
                  {m.name}
                </Link>
                <span className="text-slate-600">{where(m)}</span>
                {m.lastError ? <span className="text-xs text-red-700">{m.lastError}</span> : null}
              </li>
            ))}
            {notUpTotal > notUp.length ? (
              <li className="px-4 py-2 text-slate-600">
                and {notUpTotal - notUp.length} more on{" "}
                <Link href="/uptime" className="underline">
                  Uptime
                </Link>
              </li>
            ) : null}
          </ul>
        ) : null}
      </section>

      {services.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          No services are configured yet. Add them under <code>services:</code> in opsdeck.yaml.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="table-cards w-full text-sm" data-testid="service-grid">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Service
                </th>
                {environments.map((env) => (
                  <th scope="col" key={env.id} className="px-4 py-2">
                    {env.name}
                    {env.protected ? (
                      <span className="ml-1 normal-case text-slate-400">(protected)</span>
                    ) : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {services.map((service) => (
                <tr key={service.id} className="border-t border-slate-100 align-top">
                  <th scope="row" className="px-4 py-3 text-left font-medium">
                    {service.name}
                    {service.description ? (
                      <div className="text-xs font-normal text-slate-500">
                        {service.description}
                      </div>
                    ) : null}
                  </th>
                  {environments.map((env) => {
                    const cell = cells[cellKey(service.id, env.id)];
                    const worst = cell?.worst;
                    if (!cell || !worst) {
                      return (
                        <td
                          key={env.id}
                          className="px-4 py-3 text-xs text-slate-400"
                          data-testid={`cell-${service.id}-${env.id}`}
                          data-label={env.name}
                        >
                          {service.environments.includes(env.id)
                            ? "no monitor"
                            : "not deployed here"}
                        </td>
                      );
                    }
                    const style = STATUS_STYLE[worst];
                    return (
                      <td
                        key={env.id}
                        className="px-2 py-2"
                        data-testid={`cell-${service.id}-${env.id}`}
                        data-label={env.name}
                      >
                        <Link
                          href={`/uptime?service=${service.id}&environment=${env.id}`}
                          className={`block rounded-md border px-3 py-2 hover:shadow-sm ${style.cell}`}
                          data-status={worst}
                        >
                          <div className={`font-medium ${style.text}`}>{style.label}</div>
                          <div className="text-xs text-slate-600">
                            {cell.latencyMs !== null ? `${cell.latencyMs} ms · ` : ""}
                            24 h {formatUptime(cell.uptime24h)}
                          </div>
                          <div className="text-[11px] text-slate-500">
                            {cell.monitors} monitor{cell.monitors === 1 ? "" : "s"}
                          </div>
                        </Link>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {servicePage.pages > 1 ? (
        <Pager
          from={servicePage.from}
          to={servicePage.to}
          total={servicePage.total}
          noun="services"
          prevHref={servicePage.page > 1 ? `/?page=${servicePage.page - 1}` : null}
          nextHref={servicePage.page < servicePage.pages ? `/?page=${servicePage.page + 1}` : null}
          testId="service-pager"
        />
      ) : null}
    </div>
  );
}
